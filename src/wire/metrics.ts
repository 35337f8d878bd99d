/**
 * Codecs of containerd/cgroups' metrics, the Any a Stats reply carries. All counters are
 * uint64: pass values that may exceed 2^53 as u64(bigint) or a decimal string (wire-long.ts).
 */
import { io } from './gen/metrics';
import type { AnyMessage } from './any';
import { CGROUPS_V1_METRICS_TYPE_URL, CGROUPS_V2_METRICS_TYPE_URL } from './type-urls';

/** io.containerd.cgroups.v1: Metrics, MemoryStat, CPUStat, BlkIOStat, ... */
export import cgroupsV1 = io.containerd.cgroups.v1;
/** io.containerd.cgroups.v2: Metrics, MemoryStat, CPUStat, IOStat, PSIStats, ... */
export import cgroupsV2 = io.containerd.cgroups.v2;

export function packMetricsV1(metrics: cgroupsV1.Metrics.$Properties): AnyMessage {
  return { typeUrl: CGROUPS_V1_METRICS_TYPE_URL, value: cgroupsV1.Metrics.encode(metrics).finish() };
}

export function packMetricsV2(metrics: cgroupsV2.Metrics.$Properties): AnyMessage {
  return { typeUrl: CGROUPS_V2_METRICS_TYPE_URL, value: cgroupsV2.Metrics.encode(metrics).finish() };
}
