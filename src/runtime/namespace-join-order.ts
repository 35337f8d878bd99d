/**
 * Whether an OCI runtime joins the namespaces a spec names by path before it enters the
 * container's user namespace. A pod's containers join the CNI network namespace, which the
 * host's user namespace owns: only a runtime that joins it first (as host root) can then
 * run them in the pod's user namespace.
 *
 * - runc 1.1 joins the user namespace first, then setns(net) fails with EPERM (measured:
 *   1.1.5, 1.1.15); runc 1.2.0 joins every namespace it can before the user namespace and
 *   the rest after (libcontainer/nsenter/nsexec.c, join_namespaces; measured: 1.3.6).
 * - crun: app containers and execs into a host-owned network namespace measured working
 *   with 1.8.1 (Debian bookworm's), the oldest one seen; older ones are not trusted.
 *
 * Asked once per host per binary (`<binary> --version`, its answer kept on /run by
 * runtime-version-cache.ts) and held per daemon; parsing is pure.
 */
import type { CommandRunner } from '../sys/sys';
import type { RuntimeVersionCache } from './runtime-version-cache';

export interface RuntimeVersion {
  name: string;
  /** major, minor, patch */
  release: [number, number, number];
  /** a pre-release ("-rc.1") sorts before its release */
  prerelease: boolean;
}

/** The first line of `<runtime> --version`: "runc version 1.3.6+ds1", "crun version 1.8.1". */
export function parseRuntimeVersion(output: string): RuntimeVersion | undefined {
  const m = /^(\S+) version (\d+)\.(\d+)(?:\.(\d+))?(-[^\s+]*)?/m.exec(output);
  if (!m) return undefined;
  return { name: m[1], release: [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)], prerelease: m[5] !== undefined };
}

const joinsFirstSince: Record<string, [number, number, number]> = {
  runc: [1, 2, 0],
  crun: [1, 8, 1],
};

export function joinsBeforeUserNamespace(version: RuntimeVersion | undefined): boolean {
  const since = version === undefined ? undefined : joinsFirstSince[version.name];
  if (version === undefined || since === undefined) return false;
  for (let i = 0; i < 3; i++) {
    if (version.release[i] !== since[i]) return version.release[i] > since[i];
  }
  return !version.prerelease;
}

/** The answer per binary, asked on first use and kept for the daemon's life; a runtime that cannot say is taken not to. */
export class NamespaceJoinOrderProbe {
  private readonly answers = new Map<string, Promise<boolean>>();

  constructor(
    private readonly runner: CommandRunner,
    private readonly cache?: RuntimeVersionCache,
  ) {}

  joinsBeforeUserNamespace(binary: string): Promise<boolean> {
    let answer = this.answers.get(binary);
    if (answer === undefined) {
      answer = this.version(binary).then((output) => output !== undefined && joinsBeforeUserNamespace(parseRuntimeVersion(output)));
      this.answers.set(binary, answer);
    }
    return answer;
  }

  /** The binary's `--version` output: the host's kept answer, else asked (and kept); undefined when it cannot say. */
  private async version(binary: string): Promise<string | undefined> {
    const key = this.cache?.keyOf(binary);
    const kept = key === undefined ? undefined : this.cache?.get(key);
    if (kept !== undefined) return kept;
    try {
      const result = await this.runner.run(binary, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (result.exitCode !== 0) return undefined;
      if (key !== undefined) this.cache?.set(key, result.stdout);
      return result.stdout;
    } catch {
      return undefined;
    }
  }
}
