import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ProcessIO, ProcessIODeps } from '../../../src/io';
import { NativeSys } from '../../../src/sys/native-sys';
import type { CommandRunner } from '../../../src/sys/sys';

export const sys = new NativeSys();

const unusedRunner: CommandRunner = {
  run: () => Promise.reject(new Error('process IO must not run commands')),
  track: () => undefined,
};

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'io-test-'));
}

export function deps(dir: string, extra: Partial<ProcessIODeps> = {}): ProcessIODeps {
  return {
    sys,
    runner: unusedRunner,
    containerId: 'c1',
    namespace: 'ns1',
    consoleDir: path.join(dir, 'console'),
    ...extra,
  };
}

export function mkfifo(dir: string, name: string): string {
  const file = path.join(dir, name);
  execFileSync('mkfifo', [file]);
  return file;
}

/** What containerd's client does before Create: opens the FIFO's read end without blocking. */
export function fifoReader(file: string): { socket: net.Socket; text: Promise<string> } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const socket = new net.Socket({ fd, readable: true, writable: false });
  const text = new Promise<string>((resolve, reject) => {
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
  return { socket, text };
}

/** The client's stdin writer (our reader already exists, so O_NONBLOCK cannot fail with ENXIO). */
export function fifoWriter(file: string): net.Socket {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: false, writable: true });
}

/** A stand-in container: a shell script with the runtime's stdio. */
export function container(script: string, stdio: StdioOptions): { child: ChildProcess; exit: Promise<number | null> } {
  const child = spawn('sh', ['-c', script], { stdio });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit };
}

export function fdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Lets async closes (handle close callbacks, threadpool closes) finish. */
export function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    }),
  ]);
}

export function writeAll(socket: net.Socket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
}

export function endWriter(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.destroy();
  });
}

/**
 * Plays runc for --console-socket: makes a pty, sends the master over the socket
 * with SCM_RIGHTS, runs the command on the slave and exits with its status.
 */
const PTY_SENDER = `
import os, socket, subprocess, sys, pty
master, slave = pty.openpty()
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect(sys.argv[1])
socket.send_fds(conn, [b'pty'], [master])
conn.close()
os.close(master)
child = subprocess.Popen(['sh', '-c', sys.argv[2]], stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
sys.exit(child.wait())
`;

/** Starts the fake runtime on io's console socket; resolves with its exit code. */
export function runtimeWithConsole(io: ProcessIO, script: string): Promise<number | null> {
  if (io.consoleSocket === undefined) throw new Error('a terminal process has a console socket');
  const child = spawn('python3', ['-c', PTY_SENDER, io.consoleSocket, script], { stdio: io.runtimeStdio });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
