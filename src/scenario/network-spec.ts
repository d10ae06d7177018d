/**
 * The network a scenario's `cluster` block describes, for every system: each
 * node's NIC, and one-way latencies drawn around the written median
 * (lognormal, sigma 0.2: a LAN's tight spread with a tail). A median of 0
 * means no propagation delay at all (a lognormal cannot have median 0).
 */
import type { DistributionSpec } from "../kernel/distribution.js";

export const LATENCY_SIGMA = 0.2;

export function networkOf(cluster: { nic: number; latency: number }): { nic: { egressBytesPerSec: number }; latency: DistributionSpec } {
  const latency: DistributionSpec = cluster.latency === 0 ? { kind: "constant", value: 0 } : { kind: "lognormal", median: cluster.latency, sigma: LATENCY_SIGMA };
  return { nic: { egressBytesPerSec: cluster.nic }, latency };
}
