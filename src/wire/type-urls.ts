/**
 * The type_url strings containerd expects in the Anys we send. Protobuf types use the bare
 * full name (no type.googleapis.com/ prefix: containerd 1.6's decoder needs it exact); the OCI
 * types are JSON under containerd's own URLs.
 */

/** The Any type of each /tasks/* event, keyed by message name. */
export const TASK_EVENT_TYPE_URLS = {
  TaskCreate: 'containerd.events.TaskCreate',
  TaskStart: 'containerd.events.TaskStart',
  TaskExit: 'containerd.events.TaskExit',
  TaskDelete: 'containerd.events.TaskDelete',
  TaskExecAdded: 'containerd.events.TaskExecAdded',
  TaskExecStarted: 'containerd.events.TaskExecStarted',
  TaskPaused: 'containerd.events.TaskPaused',
  TaskResumed: 'containerd.events.TaskResumed',
  TaskOOM: 'containerd.events.TaskOOM',
  TaskCheckpointed: 'containerd.events.TaskCheckpointed',
} as const;

export type TaskEventName = keyof typeof TASK_EVENT_TYPE_URLS;

export const CGROUPS_V1_METRICS_TYPE_URL = 'io.containerd.cgroups.v1.Metrics';
export const CGROUPS_V2_METRICS_TYPE_URL = 'io.containerd.cgroups.v2.Metrics';

export const RUNC_OPTIONS_TYPE_URL = 'containerd.runc.v1.Options';
export const RUNC_CHECKPOINT_OPTIONS_TYPE_URL = 'containerd.runc.v1.CheckpointOptions';
export const RUNC_PROCESS_DETAILS_TYPE_URL = 'containerd.runc.v1.ProcessDetails';
export const RUNTIME_OPTIONS_TYPE_URL = 'runtimeoptions.v1.Options';

/** ExecProcessRequest.spec: JSON OCI Process. */
export const OCI_PROCESS_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/Process';
/** UpdateTaskRequest.resources: JSON OCI LinuxResources. */
export const OCI_LINUX_RESOURCES_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/LinuxResources';
/** RuntimeInfo.features: JSON OCI features document. */
export const OCI_FEATURES_TYPE_URL = 'types.containerd.io/opencontainers/runtime-spec/1/features/Features';
