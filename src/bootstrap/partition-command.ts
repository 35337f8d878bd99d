/**
 * `containerd-shim-metassembly-v2 partition plan|create|list|show|delete`: the node
 * partition manager. Arguments in, text out; errors are thrown (main prints them and
 * exits 1). Paths come from the environment so tests and demos run on private trees:
 * METASSEMBLY_STATE_DIR, METASSEMBLY_RUN_DIR, METASSEMBLY_CGROUP_ROOT, METASSEMBLY_HOST_ROOT.
 */
import { parseArgs } from 'node:util';
import { InvalidArgumentError } from '../errors';
import { describeHost, formatPlan, parseCpuList, parseSize, planPartitions, readTopology, type PlacementMode, type PlanRequest } from '../partitions';
import { createPartitions, deletePartition, listPartitions, showPartition, type CreateRequest, type PartitionEnv } from './partition-actions';

export const PARTITION_USAGE = `usage: containerd-shim-metassembly-v2 partition <command>
  plan   [--count N | --cpus C --memory M] [--host 128c/512GiB/2numa] [--reserve-cpus N] [--reserve-memory M] [--pids N] [--prefix P]
  create <name> --cpus LIST --memory M [--mems LIST] [--pids N] [--mode clamp|refuse]
  create --count N [--prefix P] [--reserve-cpus N] [--reserve-memory M] [--pids N] [--mode clamp|refuse]
  list
  show   <name>
  delete <name> [--force]
`;

export function partitionEnvFrom(env: NodeJS.ProcessEnv, out: (text: string) => void): PartitionEnv {
  return {
    dirs: { stateDir: env.METASSEMBLY_STATE_DIR || '/var/lib/metassembly/partitions', runDir: env.METASSEMBLY_RUN_DIR || '/run/metassembly' },
    cgroupRoot: env.METASSEMBLY_CGROUP_ROOT || '/sys/fs/cgroup',
    hostRoot: env.METASSEMBLY_HOST_ROOT || '/',
    slice: '/metassembly.slice',
    out,
  };
}

const OPTIONS = {
  count: { type: 'string' },
  cpus: { type: 'string' },
  memory: { type: 'string' },
  mems: { type: 'string' },
  pids: { type: 'string' },
  mode: { type: 'string' },
  host: { type: 'string' },
  'reserve-cpus': { type: 'string' },
  'reserve-memory': { type: 'string' },
  prefix: { type: 'string' },
  force: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InvalidArgumentError(`partition: ${(err as Error).message}\n${PARTITION_USAGE}`);
  }
}

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError(`${what} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function mode(values: Values): PlacementMode {
  const m = values.mode ?? 'clamp';
  if (m !== 'clamp' && m !== 'refuse') throw new InvalidArgumentError(`--mode must be clamp or refuse, got ${JSON.stringify(m)}`);
  return m;
}

/** --count, or --cpus with --memory (plan's meaning of --cpus: CPUs per partition), or neither. */
function planRequest(values: Values): PlanRequest | undefined {
  const count = wholeNumber(values.count, '--count');
  if (count !== undefined) {
    if (values.cpus !== undefined || values.memory !== undefined) throw new InvalidArgumentError('give --count or --cpus with --memory, not both');
    return { count };
  }
  if (values.cpus !== undefined || values.memory !== undefined) {
    if (values.cpus === undefined || values.memory === undefined) throw new InvalidArgumentError('--cpus and --memory go together');
    return { cpusPerPartition: wholeNumber(values.cpus, '--cpus')!, memoryPerPartition: parseSize(values.memory, '--memory') };
  }
  return undefined;
}

function makePlan(values: Values, env: PartitionEnv) {
  const topology = values.host ? describeHost(values.host) : readTopology(env.hostRoot);
  // Without a request: one partition per NUMA node, the natural unit.
  const request = planRequest(values) ?? { count: topology.numaNodes.length };
  const reserveCpus = wholeNumber(values['reserve-cpus'], '--reserve-cpus');
  const reserveMemory = values['reserve-memory'] === undefined ? undefined : parseSize(values['reserve-memory'], '--reserve-memory');
  return {
    topology,
    plan: planPartitions(topology, request, {
      reserve: { cpus: reserveCpus, memoryBytes: reserveMemory },
      namePrefix: values.prefix,
      pidsMax: wholeNumber(values.pids, '--pids'),
    }),
  };
}

function onlyName(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new InvalidArgumentError(`partition ${command} takes one name, got ${positionals.length ? positionals.join(' ') : 'none'}\n${PARTITION_USAGE}`);
  return positionals[0]!;
}

/** Runs one partition command; resolves to the exit code. `args` are the words after `partition`. */
export async function partitionCommand(args: string[], env: PartitionEnv = partitionEnvFrom(process.env, (t) => process.stdout.write(t))): Promise<number> {
  const [command, ...rest] = args;
  const { values, positionals } = parse(rest);
  switch (command) {
    case 'plan':
      if (positionals.length) throw new InvalidArgumentError(`partition plan takes no names\n${PARTITION_USAGE}`);
      env.out(formatPlan(makePlan(values, env).plan));
      return 0;
    case 'create': {
      const m = mode(values);
      if (values.count !== undefined) {
        if (positionals.length) throw new InvalidArgumentError('create --count names its partitions itself (see --prefix)');
        const { topology, plan } = makePlan(values, env);
        const requests: CreateRequest[] = plan.partitions.map((p) => ({
          name: p.name,
          cpus: parseCpuList(p.cpus),
          mems: parseCpuList(p.mems),
          memoryBytes: p.memoryMax,
          pidsMax: wholeNumber(values.pids, '--pids'),
          mode: m,
        }));
        await createPartitions(requests, env, topology);
        return 0;
      }
      const name = onlyName(positionals, 'create');
      if (values.cpus === undefined || values.memory === undefined) throw new InvalidArgumentError(`partition create ${name} needs --cpus LIST and --memory SIZE (or --count N)`);
      await createPartitions(
        [
          {
            name,
            cpus: parseCpuList(values.cpus, '--cpus'),
            mems: values.mems === undefined ? undefined : parseCpuList(values.mems, '--mems'),
            memoryBytes: parseSize(values.memory, '--memory'),
            pidsMax: wholeNumber(values.pids, '--pids'),
            mode: m,
          },
        ],
        env,
      );
      return 0;
    }
    case 'list':
      await listPartitions(env);
      return 0;
    case 'show':
      await showPartition(onlyName(positionals, 'show'), env);
      return 0;
    case 'delete':
      await deletePartition(onlyName(positionals, 'delete'), values.force ?? false, env);
      return 0;
    default:
      throw new InvalidArgumentError(`${command === undefined ? 'partition needs a command' : `unknown partition command ${JSON.stringify(command)}`}\n${PARTITION_USAGE}`);
  }
}
