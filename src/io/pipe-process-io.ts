import * as fs from 'node:fs';
import type * as net from 'node:net';
import type { RuntimeStdio } from '../runtime/oci-runtime';
import { BinaryLogger } from './binary-logger';
import { readStream, writeStream } from './fd-stream';
import type { OutputSink } from './output-sink';
import type { ProcessIO, StdioConfig } from './process-io';
import type { ProcessIODeps } from './process-io-deps';
import { pump } from './pump';
import { SinkOpener } from './sink-opener';
import { SocketSink } from './socket-sink';
import { StdinFifo } from './stdin-fifo';
import { parseOutputTarget } from './stdio-uri';
import { within } from './within';

/**
 * IO without a terminal: the process gets real pipes (a container that opens
 * /dev/stdout must find a pipe, not a socket) and we copy between them and the
 * client's FIFOs or files; with binary:// the logger reads the pipes itself.
 */
export class PipeProcessIO implements ProcessIO {
  readonly runtimeStdio: RuntimeStdio = ['ignore', 'ignore', 'ignore'];
  /** our copies of the ends the runtime hands to the process, closed once it has them */
  private childEnds: number[] = [];
  private stdin?: StdinFifo;
  private readonly sources: net.Socket[] = [];
  private readonly sinks: OutputSink[] = [];
  private readonly copies: Promise<void>[] = [];
  private logger?: BinaryLogger;
  private closed = false;

  private constructor() {}

  static async create(config: StdioConfig, deps: ProcessIODeps): Promise<PipeProcessIO> {
    const io = new PipeProcessIO();
    try {
      if (config.stdin !== '') io.openStdin(config.stdin, deps);
      await io.openOutputs(config, deps);
    } catch (err) {
      io.close();
      throw err;
    }
    return io;
  }

  async attach(): Promise<void> {
    this.closeChildEnds();
  }

  closeStdin(): void {
    this.stdin?.release();
  }

  /** No terminal, nothing to size (ResizePty is a no-op, as in the runc shim). */
  resize(): void {}

  drained(timeoutMs: number): Promise<void> {
    return within(Promise.all(this.copies), timeoutMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeChildEnds();
    this.stdin?.close();
    for (const source of this.sources) source.destroy();
    for (const sink of this.sinks) sink.close();
    this.logger?.stop();
  }

  /** stdin FIFO -> pipe -> process fd 0; the process sees EOF when the copy ends. */
  private openStdin(path: string, deps: ProcessIODeps): void {
    const fifo = StdinFifo.open(path);
    this.stdin = fifo;
    const [read, write] = deps.sys.pipe();
    this.runtimeStdio[0] = read;
    this.childEnds.push(read);
    const sink = new SocketSink(writeStream(write));
    this.sinks.push(sink);
    this.copy(fifo.source, sink, false);
  }

  private async openOutputs(config: StdioConfig, deps: ProcessIODeps): Promise<void> {
    const uri = config.stdout || config.stderr;
    if (uri === '') return;
    const target = parseOutputTarget(uri);
    if (target.kind === 'binary') {
      // The runc shim always gives a logger both streams.
      this.logger = await BinaryLogger.start(deps.sys, deps.runner, { ...target, containerId: deps.containerId, namespace: deps.namespace });
      this.runtimeStdio[1] = this.logger.stdout;
      this.runtimeStdio[2] = this.logger.stderr;
      this.childEnds.push(this.logger.stdout, this.logger.stderr);
      return;
    }
    const opener = new SinkOpener();
    const streams = [
      { name: 'stdout', index: 1, value: config.stdout },
      { name: 'stderr', index: 2, value: config.stderr },
    ] as const;
    for (const { name, index, value } of streams) {
      if (value === '') continue;
      const sink = opener.open(name, target.kind === 'file' ? target : { kind: 'path', path: value });
      this.sinks.push(sink);
      const [read, write] = deps.sys.pipe();
      this.runtimeStdio[index] = write;
      this.childEnds.push(write);
      this.copy(readStream(read), sink, true);
    }
  }

  /** Output copies are what drained() waits for; stdin may stay open forever. */
  private copy(source: net.Socket, sink: OutputSink, output: boolean): void {
    this.sources.push(source);
    const done = pump(source, sink);
    if (output) this.copies.push(done);
  }

  private closeChildEnds(): void {
    for (const fd of this.childEnds) fs.closeSync(fd);
    this.childEnds = [];
  }
}
