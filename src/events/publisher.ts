/**
 * Events to containerd: `containerd.services.events.ttrpc.v1.Events/Forward` on
 * TTRPC_ADDRESS. Publishing never blocks an RPC: events go into one FIFO queue
 * (containerd expects one ordered stream per shim) and a single sender drains it,
 * reconnecting and retrying with backoff while containerd is away (e.g. restarting).
 */
import { TtrpcClient } from '../ttrpc/client';
import type { Envelope } from './envelope';

export interface Publisher {
  publish(topic: string, event: { typeUrl: string; value: Uint8Array }): void;
  /** Waits (up to timeoutMs) for queued events to be sent, then closes the connection. */
  close(timeoutMs: number): Promise<void>;
}

export interface EventTransport {
  forward(envelope: Envelope): Promise<void>;
  close(): void;
}

export interface TtrpcPublisherOptions {
  namespace: string;
  transport: EventTransport;
  log(message: string): void;
  /** events beyond this are dropped (and logged) rather than grow without bound */
  maxQueued?: number;
  maxAttempts?: number;
}

const backoffStartMs = 50;
const backoffMaxMs = 5000;

export class QueuedPublisher implements Publisher {
  private readonly queue: Envelope[] = [];
  private sending: Promise<void> | undefined;
  private closing = false;
  private readonly maxQueued: number;
  private readonly maxAttempts: number;

  constructor(private readonly options: TtrpcPublisherOptions) {
    this.maxQueued = options.maxQueued ?? 10_000;
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  publish(topic: string, event: { typeUrl: string; value: Uint8Array }): void {
    if (this.queue.length >= this.maxQueued) {
      this.options.log(`event queue full (${this.maxQueued}): dropping ${topic}`);
      return;
    }
    this.queue.push({ timestamp: new Date(), namespace: this.options.namespace, topic, event });
    this.sending ??= this.drain().finally(() => (this.sending = undefined));
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const envelope = this.queue[0];
      let delay = backoffStartMs;
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.transport.forward(envelope);
          break;
        } catch (err) {
          if (attempt >= this.maxAttempts || this.closing) {
            this.options.log(`dropping event ${envelope.topic} after ${attempt} attempts: ${(err as Error).message}`);
            break;
          }
          await sleep(delay);
          delay = Math.min(delay * 2, backoffMaxMs);
        }
      }
      this.queue.shift();
    }
  }

  async close(timeoutMs: number): Promise<void> {
    if (this.sending) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.sending, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    this.closing = true;
    this.options.transport.close();
  }
}

/** Forward over ttrpc, dialing (again) whenever there is no live connection. */
export class TtrpcEventTransport implements EventTransport {
  private client: Promise<TtrpcClient> | undefined;

  constructor(
    private readonly address: string,
    private readonly encodeForward: (envelope: Envelope) => Uint8Array,
  ) {}

  async forward(envelope: Envelope): Promise<void> {
    this.client ??= TtrpcClient.connect(this.address);
    const connecting = this.client;
    try {
      const client = await connecting;
      await client.call('containerd.services.events.ttrpc.v1.Events', 'Forward', this.encodeForward(envelope), {
        timeoutMs: 5000,
        metadata: { 'containerd-namespace-ttrpc': envelope.namespace },
      });
    } catch (err) {
      // drop a broken connection so the retry dials afresh
      if (this.client === connecting) this.client = undefined;
      void connecting.then((c) => c.close()).catch(() => undefined);
      throw err;
    }
  }

  close(): void {
    void this.client?.then((c) => c.close()).catch(() => undefined);
    this.client = undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
