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

/**
 * Linux's retransmission constants. The timeout starts at TCP_RTO_MIN (the
 * RTT of a LAN adds little to it), doubles per retransmission up to
 * TCP_RTO_MAX, and the kernel gives up after net.ipv4.tcp_retries2
 * retransmissions: 0.2 + 0.4 + ... + 102.4 + 6 x 120 = 924.6 s, the "about
 * 15 minutes" of tcp(7) and ip-sysctl.rst. Keepalive is off by default (a
 * socket option the brokers here do not set), so an idle connection to a
 * silent peer stays open for good.
 */
export interface TcpOptions {
  rtoMinNs: DurationNs;
  rtoMaxNs: DurationNs;
  /** net.ipv4.tcp_retries2. */
  retries2: number;
}

export const LINUX_TCP: TcpOptions = { rtoMinNs: 200_000_000, rtoMaxNs: 120_000_000_000, retries2: 15 };

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
  /** TCP's retransmission: how long a connection outlives a silent peer. */
  tcp: TcpOptions;
  datagram?: DatagramFaults;
}

/** 10 GbE, ~150 µs one-way (same-datacenter RTT ~0.3 ms: EC2 same-AZ ping 0.26–0.41 ms). */
export const DEFAULT_NETWORK_OPTIONS: NetworkOptions = {
  nic: { egressBytesPerSec: 1_250_000_000 },
  latency: { kind: "lognormal", median: 150_000, sigma: 0.2 },
  framing: ETHERNET_FRAMING,
  connectTimeoutNs: 1_000_000_000,
  tcp: LINUX_TCP,
};

export const NO_DATAGRAM_FAULTS: DatagramFaults = {
  loss: { numerator: 0, denominator: 1 },
  duplicate: { numerator: 0, denominator: 1 },
  reorder: { numerator: 0, denominator: 1 },
  reorderDelay: { kind: "constant", value: 0 },
};
