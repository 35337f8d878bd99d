/**
 * What the escape probe looks for on the host, made by the test: a process whose argv
 * carries a marker, an abstract unix socket and a file named after it, and a TCP port on
 * 127.0.0.1. A sandboxed container must see none of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';

export interface HostFixtures {
  marker: string;
  hostFile: string;
  tcpPort: number;
  /** the probe's flags for these fixtures */
  probeArgs: string[];
  close(): Promise<void>;
}

function listen(server: Server, address: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (typeof address === 'string') server.listen(address, resolve);
    else server.listen(address.port, address.host, resolve);
  });
}

export async function makeHostFixtures(tag: string): Promise<HostFixtures> {
  const marker = `metassembly-probe-host-${tag}-${process.pid}`;
  const hostFile = `/run/${marker}`;
  writeFileSync(hostFile, 'host only\n');
  const process_: ChildProcess = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', `${marker}.host-process`], { stdio: 'ignore' });
  // Both servers accept and drop: a connect that succeeds is all the probe needs to see.
  const abstract = createServer((s) => s.destroy());
  await listen(abstract, `\0${marker}`);
  const tcp = createServer((s) => s.destroy());
  await listen(tcp, { host: '127.0.0.1', port: 0 });
  const tcpPort = (tcp.address() as AddressInfo).port;
  return {
    marker,
    hostFile,
    tcpPort,
    probeArgs: ['--marker', marker, '--host-file', hostFile, '--tcp', String(tcpPort), '--suid', '/probe-suid'],
    close: async () => {
      process_.kill('SIGKILL');
      await Promise.all([abstract, tcp].map((s) => new Promise((resolve) => s.close(resolve))));
      rmSync(hostFile, { force: true });
    },
  };
}
