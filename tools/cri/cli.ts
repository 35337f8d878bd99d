import { InvalidArgumentError, toStatus } from '../../src/errors';
import { CriClient } from './cri-client';

// A small read-mostly CRI tool for operators, in crictl's spirit, that runs where kubelet's
// node has only Node.js: what containerd's CRI reports about its handlers, pods, containers
// and images, and ExecSync. Output is JSON.
//
//   node build/tools/cri/cli.js [--endpoint unix:///run/containerd/containerd.sock] <command>
//     version | status | images | pods | containers
//     inspectp <pod-id> | inspect <container-id> | stats <container-id> | podstats <pod-id>
//     exec <container-id> <cmd> [args...]

const usage =
  'usage: cli.js [--endpoint unix:///path.sock] version|status|images|pods|containers|' +
  'inspectp ID|inspect ID|stats ID|podstats ID|exec ID CMD...';

function socketPath(argv: string[]): { socket: string; rest: string[] } {
  // crictl's variable, so an operator's existing setting carries over.
  let endpoint = process.env.CONTAINER_RUNTIME_ENDPOINT || 'unix:///run/containerd/containerd.sock';
  const rest = [...argv];
  if (rest[0] === '--endpoint') {
    endpoint = rest[1] ?? '';
    rest.splice(0, 2);
  }
  if (!endpoint.startsWith('unix://')) throw new InvalidArgumentError(`only unix:// endpoints are supported: ${endpoint}`);
  return { socket: endpoint.slice('unix://'.length), rest };
}

async function run(cri: CriClient, [command, id, ...args]: string[]): Promise<unknown> {
  const need = (): string => {
    if (!id) throw new InvalidArgumentError(`${command} needs an id\n${usage}`);
    return id;
  };
  switch (command) {
    case 'version':
      return cri.version();
    case 'status':
      return cri.status(true);
    case 'images':
      return cri.listImages();
    case 'pods':
      return cri.listPodSandbox();
    case 'containers':
      return cri.listContainers();
    case 'inspectp':
      return cri.podSandboxStatus(need(), true);
    case 'inspect':
      return cri.containerStatus(need(), true);
    case 'stats':
      return cri.containerStats(need());
    case 'podstats':
      return cri.podSandboxStats(need());
    case 'exec': {
      const r = await cri.execSync(need(), args);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      process.exitCode = r.exitCode;
      return undefined;
    }
    default:
      throw new InvalidArgumentError(usage);
  }
}

async function main(): Promise<void> {
  const { socket, rest } = socketPath(process.argv.slice(2));
  const cri = new CriClient(socket);
  try {
    const out = await run(cri, rest);
    if (out !== undefined) {
      const json = JSON.stringify(out, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
      process.stdout.write(`${json}\n`);
    }
  } finally {
    cri.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`cri: ${toStatus(err).message}\n`);
  process.exitCode = 1;
});
