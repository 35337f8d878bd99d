import * as grpc from '@grpc/grpc-js';
import { fromStatus, type Code } from '../../src/errors';
import { codec, criRoot, type Codec } from './proto-codec';
import type {
  Container,
  ContainerConfig,
  ContainerFilter,
  ContainerStats,
  ContainerStatusResponse,
  ExecRequest,
  ExecSyncResponse,
  Image,
  ImageSpec,
  Input,
  LinuxContainerResources,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStats,
  PodSandboxStatusResponse,
  StatusResponse,
  StringMap,
  VersionResponse,
} from './types';

type ServiceName = 'RuntimeService' | 'ImageService';

interface Rpc {
  path: string;
  request: Codec<unknown>;
  response: Codec<unknown>;
}

const rpcs = new Map<string, Rpc>();

// Paths and message types come from the .proto's service definitions, so a wrapper below
// names only its method.
function rpc(service: ServiceName, method: string): Rpc {
  const key = `${service}/${method}`;
  let found = rpcs.get(key);
  if (!found) {
    const m = criRoot().lookupService(`runtime.v1.${service}`).methods[method];
    if (!m) throw new Error(`runtime.v1.${service} has no method ${method} in proto/cri`);
    found = { path: `/runtime.v1.${key}`, request: codec(m.requestType), response: codec(m.responseType) };
    rpcs.set(key, found);
  }
  return found;
}

export interface CriClientOptions {
  /** Deadline of each call (default 120 s: RunPodSandbox pays for a shim start and CNI). */
  timeoutMs?: number;
}

/**
 * A CRI v1 client over containerd's unix socket, making the calls kubelet makes. Failures
 * reject with the src/errors class of the gRPC status (NotFoundError, UnknownError, ...),
 * the message prefixed with the method.
 */
export class CriClient {
  private readonly client: grpc.Client;
  private readonly timeoutMs: number;

  constructor(readonly socketPath: string, opts: CriClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    // ExecSync answers up to 16 MiB per stream, above gRPC's default 4 MiB limit.
    this.client = new grpc.Client(`unix://${socketPath}`, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 40 << 20,
    });
  }

  close(): void {
    this.client.close();
  }

  private call<Res>(service: ServiceName, method: string, request: object, timeoutMs = this.timeoutMs): Promise<Res> {
    const { path, request: req, response: res } = rpc(service, method);
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        (value: unknown) => req.encode(value),
        (bytes: Buffer) => res.decode(bytes),
        request,
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err: grpc.ServiceError | null, value?: unknown) => {
          // gRPC's status numbers are the ones src/errors uses.
          if (err) reject(fromStatus({ code: err.code as number as Code, message: `CRI ${method}: ${err.details}` }));
          else resolve(value as Res);
        },
      );
    });
  }

  // ---- runtime ----

  version(): Promise<VersionResponse> {
    return this.call('RuntimeService', 'Version', { version: 'v1' });
  }

  status(verbose = false): Promise<StatusResponse> {
    return this.call('RuntimeService', 'Status', { verbose });
  }

  // ---- pod sandboxes ----

  async runPodSandbox(config: Input<PodSandboxConfig>, runtimeHandler = ''): Promise<string> {
    const r = await this.call<{ podSandboxId: string }>('RuntimeService', 'RunPodSandbox', { config, runtimeHandler });
    return r.podSandboxId;
  }

  async stopPodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RuntimeService', 'StopPodSandbox', { podSandboxId });
  }

  async removePodSandbox(podSandboxId: string): Promise<void> {
    await this.call('RuntimeService', 'RemovePodSandbox', { podSandboxId });
  }

  podSandboxStatus(podSandboxId: string, verbose = false): Promise<PodSandboxStatusResponse> {
    return this.call('RuntimeService', 'PodSandboxStatus', { podSandboxId, verbose });
  }

  async listPodSandbox(filter: Input<PodSandboxFilter> = {}): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>('RuntimeService', 'ListPodSandbox', { filter })).items;
  }

  async podSandboxStats(podSandboxId: string): Promise<PodSandboxStats | null> {
    return (await this.call<{ stats: PodSandboxStats | null }>('RuntimeService', 'PodSandboxStats', { podSandboxId })).stats;
  }

  // ---- containers ----

  /** sandboxConfig must be the config the pod was run with, as kubelet passes it again. */
  async createContainer(
    podSandboxId: string,
    config: Input<ContainerConfig>,
    sandboxConfig: Input<PodSandboxConfig>,
  ): Promise<string> {
    const r = await this.call<{ containerId: string }>('RuntimeService', 'CreateContainer', {
      podSandboxId,
      config,
      sandboxConfig,
    });
    return r.containerId;
  }

  async startContainer(containerId: string): Promise<void> {
    await this.call('RuntimeService', 'StartContainer', { containerId });
  }

  /** timeoutSeconds between the stop signal and SIGKILL. */
  async stopContainer(containerId: string, timeoutSeconds = 0): Promise<void> {
    await this.call('RuntimeService', 'StopContainer', { containerId, timeout: timeoutSeconds });
  }

  async removeContainer(containerId: string): Promise<void> {
    await this.call('RuntimeService', 'RemoveContainer', { containerId });
  }

  async listContainers(filter: Input<ContainerFilter> = {}): Promise<Container[]> {
    return (await this.call<{ containers: Container[] }>('RuntimeService', 'ListContainers', { filter })).containers;
  }

  containerStatus(containerId: string, verbose = false): Promise<ContainerStatusResponse> {
    return this.call('RuntimeService', 'ContainerStatus', { containerId, verbose });
  }

  async containerStats(containerId: string): Promise<ContainerStats | null> {
    return (await this.call<{ stats: ContainerStats | null }>('RuntimeService', 'ContainerStats', { containerId })).stats;
  }

  async updateContainerResources(
    containerId: string,
    linux: Input<LinuxContainerResources>,
    annotations: StringMap = {},
  ): Promise<void> {
    await this.call('RuntimeService', 'UpdateContainerResources', { containerId, linux, annotations });
  }

  /** timeoutSeconds 0 waits for the command however long it runs, as kubelet's probes may. */
  execSync(containerId: string, cmd: string[], timeoutSeconds = 0): Promise<ExecSyncResponse> {
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + 10_000 : this.timeoutMs;
    return this.call('RuntimeService', 'ExecSync', { containerId, cmd, timeout: timeoutSeconds }, deadline);
  }

  /** The streaming server's URL for this exec; the stream itself is not this client's. */
  async exec(request: Input<ExecRequest>): Promise<string> {
    return (await this.call<{ url: string }>('RuntimeService', 'Exec', request)).url;
  }

  // ---- images ----

  async listImages(filter: Input<ImageSpec> = {}): Promise<Image[]> {
    return (await this.call<{ images: Image[] }>('ImageService', 'ListImages', { filter: { image: filter } })).images;
  }

  /** null when the image is not present. */
  async imageStatus(image: string): Promise<Image | null> {
    return (await this.call<{ image: Image | null }>('ImageService', 'ImageStatus', { image: { image } })).image;
  }
}
