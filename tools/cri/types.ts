/**
 * CRI v1 messages as the client sees them: responses with every field present (64-bit
 * integers as bigint, enums by name, absent sub-messages as null), requests as Input<T>.
 * Field names are protobufjs's camelCase of proto/cri/runtime/v1/api.proto.
 */

/** What a request may leave out: everything, at every depth; 64-bit fields also take numbers. */
export type Input<T> = T extends bigint
  ? bigint | number
  : T extends Buffer | string | number | boolean
    ? T
    : T extends readonly (infer E)[]
      ? Input<E>[]
      : T extends object
        ? { [K in keyof T]?: Input<NonNullable<T[K]>> }
        : T;

export type StringMap = Record<string, string>;

export interface Int64Value { value: bigint }
export interface UInt64Value { value: bigint }
export interface KeyValue { key: string; value: string }

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface RuntimeHandler {
  name: string;
  features: { recursiveReadOnlyMounts: boolean; userNamespaces: boolean } | null;
}
export interface StatusResponse {
  status: { conditions: RuntimeCondition[] } | null;
  info: StringMap;
  runtimeHandlers: RuntimeHandler[];
}

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export interface IdMapping { hostId: number; containerId: number; length: number }
export interface UserNamespace { mode: NamespaceMode; uids: IdMapping[]; gids: IdMapping[] }
export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  targetId: string;
  usernsOptions: UserNamespace | null;
}
export interface SecurityProfile { profileType: 'RuntimeDefault' | 'Unconfined' | 'Localhost'; localhostRef: string }

export interface LinuxContainerResources {
  cpuPeriod: bigint;
  cpuQuota: bigint;
  cpuShares: bigint;
  memoryLimitInBytes: bigint;
  oomScoreAdj: bigint;
  cpusetCpus: string;
  cpusetMems: string;
  unified: StringMap;
  memorySwapLimitInBytes: bigint;
}

export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt: number }
export interface PortMapping { protocol: 'TCP' | 'UDP' | 'SCTP'; containerPort: number; hostPort: number; hostIp: string }

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata | null;
  hostname: string;
  logDirectory: string;
  dnsConfig: { servers: string[]; searches: string[]; options: string[] } | null;
  portMappings: PortMapping[];
  labels: StringMap;
  annotations: StringMap;
  linux: {
    cgroupParent: string;
    securityContext: {
      namespaceOptions: NamespaceOption | null;
      runAsUser: Int64Value | null;
      readonlyRootfs: boolean;
      supplementalGroups: bigint[];
      privileged: boolean;
      runAsGroup: Int64Value | null;
      seccomp: SecurityProfile | null;
    } | null;
    sysctls: StringMap;
    overhead: LinuxContainerResources | null;
    resources: LinuxContainerResources | null;
  } | null;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: bigint;
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  linux: { namespaces: { options: NamespaceOption | null } | null } | null;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface PodSandboxStatusResponse { status: PodSandboxStatus | null; info: StringMap }

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: bigint;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}
export interface PodSandboxFilter { id: string; state: { state: PodSandboxState } | null; labelSelector: StringMap }

export interface ImageSpec { image: string; annotations: StringMap }
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';
}
export interface ContainerMetadata { name: string; attempt: number }

export interface LinuxContainerSecurityContext {
  capabilities: { addCapabilities: string[]; dropCapabilities: string[] } | null;
  privileged: boolean;
  namespaceOptions: NamespaceOption | null;
  runAsUser: Int64Value | null;
  runAsUsername: string;
  readonlyRootfs: boolean;
  supplementalGroups: bigint[];
  noNewPrivs: boolean;
  runAsGroup: Int64Value | null;
  maskedPaths: string[];
  readonlyPaths: string[];
  seccomp: SecurityProfile | null;
}

export interface ContainerConfig {
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  command: string[];
  args: string[];
  workingDir: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: StringMap;
  annotations: StringMap;
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: { resources: LinuxContainerResources | null; securityContext: LinuxContainerSecurityContext | null } | null;
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: bigint;
  labels: StringMap;
  annotations: StringMap;
}
export interface ContainerFilter {
  id: string;
  state: { state: ContainerState } | null;
  podSandboxId: string;
  labelSelector: StringMap;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  createdAt: bigint;
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  image: ImageSpec | null;
  imageRef: string;
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  logPath: string;
  resources: { linux: LinuxContainerResources | null } | null;
}
export interface ContainerStatusResponse { status: ContainerStatus | null; info: StringMap }

export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface CpuUsage { timestamp: bigint; usageCoreNanoSeconds: UInt64Value | null; usageNanoCores: UInt64Value | null }
export interface MemoryUsage {
  timestamp: bigint;
  workingSetBytes: UInt64Value | null;
  availableBytes: UInt64Value | null;
  usageBytes: UInt64Value | null;
  rssBytes: UInt64Value | null;
  pageFaults: UInt64Value | null;
  majorPageFaults: UInt64Value | null;
}
export interface FilesystemUsage {
  timestamp: bigint;
  fsId: { mountpoint: string } | null;
  usedBytes: UInt64Value | null;
  inodesUsed: UInt64Value | null;
}
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata | null; labels: StringMap; annotations: StringMap } | null;
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  writableLayer: FilesystemUsage | null;
}

export interface NetworkInterfaceUsage {
  name: string;
  rxBytes: UInt64Value | null;
  rxErrors: UInt64Value | null;
  txBytes: UInt64Value | null;
  txErrors: UInt64Value | null;
}
export interface PodSandboxStats {
  attributes: { id: string; metadata: PodSandboxMetadata | null; labels: StringMap; annotations: StringMap } | null;
  linux: {
    cpu: CpuUsage | null;
    memory: MemoryUsage | null;
    network: { timestamp: bigint; defaultInterface: NetworkInterfaceUsage | null; interfaces: NetworkInterfaceUsage[] } | null;
    process: { timestamp: bigint; processCount: UInt64Value | null } | null;
    containers: ContainerStats[];
  } | null;
}

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: bigint;
  uid: Int64Value | null;
  username: string;
  spec: ImageSpec | null;
  pinned: boolean;
}
