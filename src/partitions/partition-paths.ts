/** Where one partition's files, sockets and state live. Pure. */
import { join } from 'node:path';

export interface PartitionDirs {
  /** the partitions' state directory (METASSEMBLY_STATE_DIR), default /var/lib/metassembly/partitions */
  stateDir: string;
  /** runtime directory for sockets and containerd's state, default /run/metassembly */
  runDir: string;
}

export interface PartitionPaths {
  /** <stateDir>/<name>.json */
  stateFile: string;
  /** <stateDir>/<name>: the generated configs and containerd's root */
  dir: string;
  containerdRoot: string;
  containerdConfig: string;
  shimConfig: string;
  kubeletConfig: string;
  /** <runDir>/<name> */
  runDir: string;
  containerdState: string;
  grpcAddress: string;
  ttrpcAddress: string;
  /** the OCI runtime's state root for this partition's containers (the shim's runtime.root) */
  runtimeRoot: string;
}

export function partitionPaths(name: string, dirs: PartitionDirs): PartitionPaths {
  const dir = join(dirs.stateDir, name);
  const run = join(dirs.runDir, name);
  return {
    stateFile: join(dirs.stateDir, `${name}.json`),
    dir,
    containerdRoot: join(dir, 'containerd'),
    containerdConfig: join(dir, 'containerd.toml'),
    shimConfig: join(dir, 'metassembly.toml'),
    kubeletConfig: join(dir, 'kubelet-config.yaml'),
    runDir: run,
    containerdState: join(run, 'containerd'),
    grpcAddress: join(run, 'containerd.sock'),
    ttrpcAddress: join(run, 'containerd.sock.ttrpc'),
    runtimeRoot: join(run, 'runc'),
  };
}
