/**
 * userNamespaceMappings over the real addon: the maps of a user namespace made by unshare(1),
 * as /proc/<pid>/uid_map shows them to the host; a path of another namespace type, a file
 * that is no namespace, and a missing path are errno errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NativeSys } from '../../../src/sys/native-sys';
import { errnoOf } from './errno-of';

const sys = new NativeSys();
const children: ChildProcess[] = [];

/** A process in a new user namespace whose maps the host wrote; resolved once they are written. */
async function inNewUserNamespace(uidMap: string, gidMap: string): Promise<number> {
  const child = spawn('unshare', ['--user', 'sleep', '30'], { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  const own = fs.readlinkSync('/proc/self/ns/user');
  // unshare(1) execs sleep once its namespace exists; its maps can be written from here then
  for (let i = 0; i < 500; i++) {
    let ns = own;
    try {
      ns = fs.readlinkSync(`/proc/${pid}/ns/user`);
    } catch {
      // not yet forked and exec'd
    }
    if (ns !== own && fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') {
      fs.writeFileSync(`/proc/${pid}/uid_map`, uidMap);
      fs.writeFileSync(`/proc/${pid}/gid_map`, gidMap);
      return pid;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('unshare --user never made its namespace');
}

test('the maps of a real user namespace, exactly as /proc/<pid>/uid_map shows them to the host', async () => {
  const pid = await inNewUserNamespace('0 1073741824 65536\n', '0 1073807360 65536\n70000 5000 2\n');
  const maps = sys.userNamespaceMappings(`/proc/${pid}/ns/user`);
  assert.is(maps.uidMap, fs.readFileSync(`/proc/${pid}/uid_map`, 'utf8'));
  assert.is(maps.gidMap, fs.readFileSync(`/proc/${pid}/gid_map`, 'utf8'));
  assert.match(maps.uidMap, /^\s+0\s+1073741824\s+65536\n$/);
  assert.match(maps.gidMap, /^\s+0\s+1073807360\s+65536\n\s+70000\s+5000\s+2\n$/);
});

test('a namespace with no maps written yet shows empty maps', async () => {
  const child = spawn('unshare', ['--user', 'sleep', '30'], { stdio: 'ignore' });
  children.push(child);
  const own = fs.readlinkSync('/proc/self/ns/user');
  let path = '';
  for (let i = 0; i < 500 && path === ''; i++) {
    try {
      if (fs.readlinkSync(`/proc/${child.pid}/ns/user`) !== own) path = `/proc/${child.pid}/ns/user`;
    } catch {
      // not yet
    }
    if (path === '') await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(sys.userNamespaceMappings(path), { uidMap: '', gidMap: '' });
});

test('another namespace type is EINVAL (as setns would say), a plain file ENOTTY, a missing path ENOENT', () => {
  const cases: Array<[string, string, string]> = [
    ['/proc/self/ns/net', 'EINVAL', 'setns'],
    ['/proc/self/ns/mnt', 'EINVAL', 'setns'],
    ['/proc/self/status', 'ENOTTY', 'ioctl'],
    ['/nonexistent/ns/user', 'ENOENT', 'open'],
  ];
  for (const [path, code, syscall] of cases) {
    const err = errnoOf(() => sys.userNamespaceMappings(path));
    assert.is(err.code, code, path);
    assert.is(err.syscall, syscall, path);
    assert.is(err.path, path);
  }
});

test('the shim\'s own user namespace cannot be entered again: EINVAL', () => {
  const err = errnoOf(() => sys.userNamespaceMappings('/proc/self/ns/user'));
  assert.is(err.code, 'EINVAL');
  assert.is(err.syscall, 'setns');
});

test('no helper process is left behind, not even a zombie', () => {
  for (let i = 0; i < 20; i++) errnoOf(() => sys.userNamespaceMappings('/proc/self/ns/user'));
  const pid = children[0].pid!;
  for (let i = 0; i < 20; i++) sys.userNamespaceMappings(`/proc/${pid}/ns/user`);
  const mine = fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return / (\d+) /.exec(fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1])?.[1] === String(process.pid);
      } catch {
        return false;
      }
    });
  assert.equal(mine.sort(), children.filter((c) => c.exitCode === null).map((c) => String(c.pid)).sort());
});

test.after(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
});

test.run();
