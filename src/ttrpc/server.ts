/**
 * The ttrpc server: a registry of services and the set of live connections.
 * Listening sockets are the caller's (the shim may inherit one); we only
 * attach to them.
 */
import type { Server, Socket } from 'node:net';
import { AlreadyExistsError, UnavailableError } from '../errors';
import type { Handler, ServiceMethods } from './call-context';
import { ServerConnection } from './server-connection';

export interface TtrpcServerOptions {
  /**
   * Called once per connection after its socket has closed (the shim uses it to
   * notice containerd going away). `error` is set when we closed it for a
   * protocol violation.
   */
  onConnectionClose?: (socket: Socket, error?: Error) => void;
}

export class TtrpcServer {
  private readonly services = new Map<string, ReadonlyMap<string, Handler>>();
  private readonly listeners = new Set<Server>();
  private readonly connections = new Set<ServerConnection>();
  private closed = false;

  constructor(private readonly options: TtrpcServerOptions = {}) {}

  /** Adds a service under its full proto name, e.g. `containerd.task.v2.Task`. */
  register(service: string, methods: ServiceMethods): void {
    if (this.services.has(service)) throw new AlreadyExistsError(`service ${service} is already registered`);
    this.services.set(service, new Map(Object.entries(methods)));
  }

  /** Serves every connection the (already or later listening) net.Server accepts. */
  serve(listener: Server): void {
    if (this.closed) throw new UnavailableError('ttrpc: server closed');
    this.listeners.add(listener);
    listener.on('connection', (socket: Socket) => this.handleConnection(socket));
  }

  /** Serves one already-connected socket. */
  handleConnection(socket: Socket): void {
    // A socket that is already gone would never report 'close' and so never leave the set.
    if (this.closed || socket.destroyed) {
      socket.destroy();
      return;
    }
    const connection = new ServerConnection(socket, (name) => this.services.get(name));
    this.connections.add(connection);
    void connection.closed.then((error) => {
      this.connections.delete(connection);
      this.options.onConnectionClose?.(socket, error);
    });
  }

  /**
   * Stops accepting, abandons calls in flight (their signals fire) and ends every
   * connection after flushing replies already written. Resolves when all are closed.
   */
  async close(): Promise<void> {
    this.closed = true;
    const waits: Promise<unknown>[] = [...this.listeners].map(
      // A listener that was never started or is already closed reports an error we do not care about.
      (listener) => new Promise<void>((resolve) => listener.close(() => resolve())),
    );
    this.listeners.clear();
    for (const connection of this.connections) {
      connection.close();
      waits.push(connection.closed);
    }
    await Promise.all(waits);
  }
}
