/** The shape and defaults of the network: NICs, latency, framing, timeouts, datagram faults. */
import type { DistributionSpec } from "../kernel/distribution.js";
import type { DurationNs } from "../kernel/time.js";

export interface NicSpec {
  egressBytesPerSec: number;
  /** Defaults to the egress bandwidth (full duplex). */
  ingressBytesPerSec?: number;
}

/** Ethernet + IP + TCP framing: 1448 payload bytes per 1538 bytes on the wire at MTU 1500. */
export interface FramingSpec {
  payloadBytesPerFrame: number;
  overheadBytesPerFrame: number;
}

export const ETHERNET_FRAMING: FramingSpec = { payloadBytesPerFrame: 1448, overheadBytesPerFrame: 90 };

export interface Ratio {
  numerator: number;
  denominator: number;
}

export interface DatagramFaults {
  loss: Ratio;
  duplicate: Ratio;
  /** With this chance a datagram is held back by an extra delay, so later ones overtake it. */
  reorder: Ratio;
  reorderDelay: DistributionSpec;
}

export interface NetworkOptions {
  nic: NicSpec;
  /** Per-node overrides, by node name. */
  nicByNode?: Record<string, NicSpec>;
  /** One-way propagation latency of every link, in ns. */
  latency: DistributionSpec;
  /** Per directed link overrides. */
  links?: { from: string; to: string; latency: DistributionSpec }[];
  /** Wire overhead per frame; null sends payload bytes only. */
  framing: FramingSpec | null;
  /** How long a handshake waits for an answer before failing. */
  connectTimeoutNs: DurationNs;
  /**
   * How long an end takes to notice a silent peer (power loss, partition).
   * Real TCP can take minutes; software notices through its own timeouts, so
   * this is the time after which the simulated socket reports the break.
   */
  breakDetectNs: DurationNs;
  datagram?: DatagramFaults;
}

/** 10 GbE, ~150 µs one-way (same-datacenter RTT ~0.3 ms: EC2 same-AZ ping 0.26–0.41 ms). */
export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = {
  nic: { egressBytesPerSec: 1_250_000_000 },
  latency: { kind: "lognormal", median: 150_000, sigma: 0.2 },
  framing: ETHERNET_FRAMING,
  connectTimeoutNs: 1_000_000_000,
  breakDetectNs: 3_000_000_000,
};

export const NO_DATAGRAM_FAULTS: DatagramFaults = {
  loss: { numerator: 0, denominator: 1 },
  duplicate: { numerator: 0, denominator: 1 },
  reorder: { numerator: 0, denominator: 1 },
  reorderDelay: { kind: "constant", value: 0 },
};
