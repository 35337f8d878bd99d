/**
 * `delete`: containerd runs it after every connection to the shim closes, and after
 * restarts for bundles whose shim is gone. Clean up whatever is left for this id only
 * (the daemon may still serve others of its group) and report how the task ended.
 * When the daemon already cleaned up, this is a couple of file reads.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ShimFlags } from './flags';
import { parseMountinfo } from '../userns/mountinfo';
import { encodeDeleteResponse } from './delete-response';
import { readRuntimeRecord, removeRuntimeRecord } from '../task/runtime-record';

const SIGKILL = 9;

export async function deleteTask(flags: ShimFlags): Promise<Uint8Array> {
  const bundle = flags.bundle || process.cwd();
  const rootfs = join(bundle, 'rootfs');
  const record = readRuntimeRecord(bundle);
  if (record) {
    const [{ RuncRuntime }, { plainRunner }] = await Promise.all([import('../runtime/runc-runtime'), import('../sys/run-command')]);
    const runtime = new RuncRuntime({
      binary: record.binary,
      root: record.root,
      systemdCgroup: record.systemdCgroup,
      runner: plainRunner,
    });
    await runtime.delete(flags.id, true);
  }
  const idmapped = record?.idmappedRootfs;
  if (isMountPoint(rootfs) || idmapped) {
    const [{ NativeSys }, { removeIdmappedRootfs, unmountRootfs }] = await Promise.all([import('../sys/native-sys'), import('../process/rootfs')]);
    const sys = new NativeSys();
    if (idmapped) removeIdmappedRootfs(sys, idmapped);
    unmountRootfs(sys, rootfs);
  }
  removeRuntimeRecord(bundle);
  const pid = readPid(join(bundle, 'init.pid'));
  rmSync(join(bundle, 'init.pid'), { force: true });
  return encodeDeleteResponse(pid, 128 + SIGKILL, new Date());
}

function readPid(path: string): number {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : 0;
  } catch {
    return 0;
  }
}

/**
 * From mountinfo rather than a syscall, so the common nothing-mounted case loads no native
 * code. A path mountinfo does not even mention is no mount point: the text is parsed only
 * when it does (or when the path has a character mountinfo escapes), since on a host with
 * many containers the parse was what this check cost.
 */
function isMountPoint(path: string): boolean {
  const text = readFileSync('/proc/self/mountinfo', 'utf8');
  if (!/[\s\\]/.test(path) && !text.includes(` ${path} `)) return false;
  return parseMountinfo(text).some((m) => m.mountPoint === path);
}
