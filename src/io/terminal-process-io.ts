import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { CanceledError, UnknownError } from '../errors';
import type { RuntimeStdio } from '../runtime/oci-runtime';
import { BinaryLogger } from './binary-logger';
import { consoleStream, writeStream } from './fd-stream';
import type { OutputSink } from './output-sink';
import type { ProcessIO, StdioConfig } from './process-io';
import { CONSOLE_TIMEOUT_MS, type ProcessIODeps } from './process-io-deps';
import { pump } from './pump';
import { SinkOpener } from './sink-opener';
import { SocketSink } from './socket-sink';
import { StdinFifo } from './stdin-fifo';
import { parseOutputTarget } from './stdio-uri';
import { within } from './within';

/** Output nobody asked for still has to be read, or the process blocks on its terminal. */
const discard: OutputSink = { write: () => Promise.resolve(), close: () => {} };

/**
 * IO with a terminal: the runtime sends the pty master to our console socket; we
 * copy stdin FIFO -> master and master -> stdout (stderr is not used with a
 * terminal). When stdin ends the console is closed, as the runc shim does
 * (platform.go CopyConsole): the client's EOF hangs the terminal up.
 */
export class TerminalProcessIO implements ProcessIO {
  readonly runtimeStdio: RuntimeStdio = ['ignore', 'ignore', 'ignore'];
  readonly consoleSocket: string;
  private readonly received: Promise<number>;
  /** the master while we hold it raw (received, not yet wrapped) */
  private masterFd: number | null = null;
  private console?: net.Socket;
  private consoleFd = -1;
  private stdin?: StdinFifo;
  private stdout?: OutputSink;
  private logger?: BinaryLogger;
  private output: Promise<void> = Promise.resolve();
  private size?: { cols: number; rows: number };
  private closed = false;

  private constructor(
    private readonly deps: ProcessIODeps,
    socketPath: string,
  ) {
    this.consoleSocket = socketPath;
    // Listening starts now (synchronously), before the runtime is told the path.
    this.received = deps.sys.receiveFd(socketPath, deps.consoleTimeoutMs ?? CONSOLE_TIMEOUT_MS).then(
      (fd) => {
        if (this.closed) {
          fs.closeSync(fd);
          throw new CanceledError('console closed before the pty master arrived');
        }
        this.masterFd = fd;
        return fd;
      },
      (err: Error) => {
        throw new UnknownError(`failed to retrieve console master: ${err.message}`, { cause: err });
      },
    );
    this.received.catch(() => {}); // observed by attach(); nobody may call it
  }

  static async create(config: StdioConfig, deps: ProcessIODeps): Promise<TerminalProcessIO> {
    fs.mkdirSync(deps.consoleDir, { recursive: true, mode: 0o700 });
    // Short random names: a unix socket path must fit in 108 bytes.
    const io = new TerminalProcessIO(deps, path.join(deps.consoleDir, `pty-${randomBytes(8).toString('hex')}.sock`));
    try {
      if (config.stdin !== '') io.stdin = StdinFifo.open(config.stdin);
      if (config.stdout !== '') await io.openStdout(config.stdout);
    } catch (err) {
      io.close();
      throw err;
    }
    return io;
  }

  async attach(): Promise<void> {
    const fd = await this.received;
    if (this.closed) return;
    this.masterFd = null;
    const console = consoleStream(fd);
    this.console = console;
    this.consoleFd = fd;
    if (this.size) this.deps.sys.setWinsize(fd, this.size.cols, this.size.rows);
    this.output = pump(console, this.stdout ?? discard);
    // Ending stdin closes the console (the sink owns it), which ends the output copy too.
    if (this.stdin) void pump(this.stdin.source, new SocketSink(console));
  }

  closeStdin(): void {
    this.stdin?.release();
  }

  /** Before the master arrived the size is kept and applied on attach. */
  resize(cols: number, rows: number): void {
    this.size = { cols, rows };
    const fd = this.liveMasterFd();
    if (fd !== null) this.deps.sys.setWinsize(fd, cols, rows);
  }

  drained(timeoutMs: number): Promise<void> {
    return within(this.output, timeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.console) this.console.destroy();
    else if (this.masterFd !== null) fs.closeSync(this.masterFd);
    else this.cancelReceive();
    this.masterFd = null;
    this.stdin?.close();
    this.stdout?.close();
    this.logger?.stop();
  }

  private async openStdout(uri: string): Promise<void> {
    const target = parseOutputTarget(uri);
    if (target.kind !== 'binary') {
      this.stdout = new SinkOpener().open('stdout', target.kind === 'file' ? target : { kind: 'path', path: uri });
      return;
    }
    this.logger = await BinaryLogger.start(this.deps.sys, this.deps.runner, {
      ...target,
      containerId: this.deps.containerId,
      namespace: this.deps.namespace,
    });
    // A terminal has one output stream: the logger's stderr gets EOF at once.
    fs.closeSync(this.logger.stderr);
    this.stdout = new SocketSink(writeStream(this.logger.stdout));
  }

  /** The master's fd while it is open: once the console is destroyed the number may be reused. */
  private liveMasterFd(): number | null {
    if (this.masterFd !== null) return this.masterFd;
    return this.console && !this.console.destroyed ? this.consoleFd : null;
  }

  /**
   * The receive is blocked in accept() on a worker thread until the runtime connects;
   * when the runtime never will (create failed), connecting and hanging up ourselves
   * ends it now instead of holding that thread until the timeout.
   */
  private cancelReceive(): void {
    const poke = net.connect(this.consoleSocket);
    poke.on('error', () => {});
    poke.on('connect', () => poke.destroy());
  }
}
