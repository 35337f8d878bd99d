export { applyHardening, hardenExecProcess, type HardeningContext, type HardeningResult } from './apply-hardening';
export { HardeningRefusedError, type Decision, type DecisionAction } from './decisions';
export { type UserNamespaceGrant } from './namespaces';
export type { OciSpec, OciProcess, OciIdMapping, NamespaceType } from './oci-spec';
export {
  defaultHardeningPolicy,
  privilegedOptInKey,
  validateHardeningPolicy,
  type HardeningPolicy,
  type OverLimit,
  type RlimitCap,
  type SeccompArch,
} from './policy';
export { defaultSeccompProfile } from './seccomp';
export { hostSideNetwork, type HostSideNetworkContext, type HostSideNetworkResult } from './host-side-network';
