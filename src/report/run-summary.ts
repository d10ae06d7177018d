import type { TimedFault } from "../faults/fault.js";
/**
 * What one run of a scenario produced, as plain JSON-serialisable data: the
 * input of every report (Markdown, SVG charts, HTML), of sweep tables and of
 * the CLI's summary. Times are integer nanoseconds of virtual time; sizes are
 * bytes. Built by src/scenario/ from a run's History, world counters and
 * check results; nothing here is computed from formulas.
 */

export interface LatencySummary {
  count: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
  /** The cumulative distribution, for a CDF chart: ascending latency, fraction at or below it (0..1]. At most ~200 points. */
  cdf: { ns: number; fraction: number }[];
}

export interface TimelineSummary {
  /** Width of each bucket; bucket k covers [k·bucketNs, (k+1)·bucketNs). */
  bucketNs: number;
  /** Messages acknowledged to producers per bucket. */
  acked: number[];
  /** Messages whose effect a consumer group applied per bucket (all groups together). */
  applied: number[];
  /** Acknowledged but not yet applied, per group, at each bucket's end (a queue's backlog). */
  backlogByGroup: { group: string; values: number[] }[];
  /** Failed send attempts per bucket. */
  failedSends: number[];
  /** Produce latency (send → acknowledgement) of the batches acknowledged in each bucket: p50, p99 and max, null where none was. Absent in summaries written before it existed. */
  produceLatency?: LatencyTimeline;
}

/** Latency per timeline bucket: p50, p99 and max, null where the bucket had no sample. */
export interface LatencyTimeline {
  p50Ns: (number | null)[];
  p99Ns: (number | null)[];
  maxNs: (number | null)[];
}

export interface TrafficSummary {
  /** Bytes on the wire per traffic class ("kafka-data", "kafka-controller", …). */
  byClass: { trafficClass: string; bytes: number }[];
  byNode: { node: string; sentBytes: number; receivedBytes: number }[];
  /** Per directed link with traffic. */
  byLink: { from: string; to: string; bytes: number }[];
}

export interface DiskSummary {
  node: string;
  writtenBytes: number;
  fsyncs: number;
  /** Average write rate over the run. */
  writeBytesPerSec: number;
  /** Bytes lost from page caches at power loss. */
  lostAtPowerLossBytes: number;
}

/** CPU one kind of server thread spent (Kafka: src/systems/kafka/cpu-costs.ts), since its process last started. */
export interface ThreadSummary {
  node: string;
  /** "request handlers" (the pool together), "busiest processor", "busiest replica fetcher". */
  thread: string;
  busyNs: number;
  /** Threads sharing busyNs (the handler pool's size; 1 otherwise). */
  count: number;
}

export interface CheckSummary {
  check: string;
  ok: boolean;
  /** One line, as formatCheckResult prints it. */
  line: string;
  /** The checker's counts (what it examined and found), for scripts. */
  counts?: Record<string, number>;
  /** The first violation, if any: message, virtual time, event index. */
  first?: { message: string; timeNs: number; eventIndex: number };
}

export type Verdict = "ok" | "safety-failed" | "liveness-failed";

export interface RunSummary {
  /** SUMMARY_SCHEMA_VERSION when it was written. */
  schemaVersion: number;
  scenario: string;
  system: string;
  seed: string;
  digest: string;
  verdict: Verdict;
  virtualTimeNs: number;
  events: number;
  stopReason: string;
  messages: { sent: number; acked: number; failed: number; unknown: number; applied: number };
  throughput: { ackedPerSec: number; ackedBytesPerSec: number };
  latency: {
    /** From a batch's send to its acknowledgement. */
    produce: LatencySummary;
    /** From a message's send to its first effect (consumers), if any consumer applies effects. */
    endToEnd: LatencySummary | null;
    /** User requests that call services and then publish: from the request's start to the publish's answer (claim C2). */
    request?: LatencySummary | null;
  };
  timeline: TimelineSummary;
  traffic: TrafficSummary;
  /**
   * Bytes on the wire between the system's own nodes (broker to broker, or
   * RabbitMQ node to node: replication, forwarded publishes and deliveries,
   * metadata), and per byte of acknowledged payload: what replication and
   * placement cost the network. Absent in summaries made before it existed.
   */
  interNode?: {
    bytes: number;
    perAckedByte: number;
    /**
     * RabbitMQ: the part that is replication (GM's ring, the channel's
     * copies to mirrors, mirrors' confirms and synchronisation; Raft), as opposed to
     * pull-through (publishes forwarded to a queue's node, deliveries to
     * consumers on other nodes) and metadata.
     */
    replicationBytes?: number;
    replicationPerAckedByte?: number;
    /** RabbitMQ: wire bytes per inter-node message kind (enqueue, deliver, gm, mirror-channel-copy, raft, …), largest first. */
    byKind?: { kind: string; bytes: number }[];
  };
  disks: DiskSummary[];
  /** Server threads' CPU, for systems that model it (Kafka). */
  threads?: ThreadSummary[];
  /** The resources' busy time over the workload: what utilisations divide by `elapsedNs`. */
  workloadBusy: WorkloadBusy;
  /** Numbers only this system measures (the system's facts: e.g. RocketMQ's longest stale route). */
  systemNumbers?: readonly { name: string; value: number; unit: string }[];
  checks: CheckSummary[];
  unavailability: UnavailabilitySummary;
  liveness: { isConverged: boolean; convergedAtNs: number; reasons: string[] };
  /** Coverage marks (name → count), sorted by name. */
  marks: [string, number][];
  /** The faults as applied, in time order: each as data (src/faults/fault.ts: atNs, verb and its fields) with its line as the terminal shows it (describeFault). */
  faults: SummaryFault[];
  /**
   * What the cluster did (src/world/cluster-log.ts): leaders chosen, step-downs, in-sync
   * sets, truncations, nodes declared down or up, the earliest CLUSTER_EVENTS_LISTED in time
   * order; `leftOut` counts the rest. Absent in summaries written before it existed.
   */
  cluster?: { events: SummaryClusterEvent[]; leftOut: number };
  /** The messages the lost check found lost or unseen (at most 20 ranges), each with its story. Absent when none was, or in older summaries. */
  lostMessages?: LostMessageStory[];
  /** The command that replays this run when `mqsim replay <scenario> --seed <seed>` would not (a counterexample of mqsim check: its search seed and path). */
  replay?: string;
}

/**
 * How long writes could not get through (src/checks/write-unavailability.ts
 * defines it): a stream (partition, queue) is unavailable while messages
 * offered to it wait, or are refused, with no acknowledgement from it, for
 * longer than 100 ms; a producer that cannot send at all (its connection
 * down) makes the time count too.
 */
export interface UnavailabilitySummary {
  /** Time during which some stream was unavailable for writes, or some producer could not send at all. */
  sendSeconds: number;
  /** Of that, time opened by refused sends (an error, a timeout, a lost connection) or a producer's connection down. */
  sendRefusedSeconds: number;
  /** The stream unavailable longest, or null when none was. */
  worstStream: { stream: string; seconds: number } | null;
  /** Each stream with some unavailability, longest first (at most 50). */
  streams: { stream: string; seconds: number; refusedSeconds: number }[];
  /** The clients' own error windows (from a failed send to the client's next success), as the unavailability check reports them. */
  sendErrorSeconds: number;
  /** The consumers' error windows (from a failed fetch or a lost subscription to the next success). */
  receiveSeconds: number;
}

/**
 * The servers' and clients' resources' busy time from the start to the end
 * of the workload (a probe at `duration`; the end of the run if it stopped
 * earlier): NIC directions as bits on the wire (not bytes queued), disks as
 * the device's busy time, server threads as their CPU time. Each is at most
 * `elapsedNs` (threads: `count` × it, give or take the piece of work under
 * way), so a utilisation never exceeds 100%.
 */
export interface WorkloadBusy {
  elapsedNs: number;
  nics: { node: string; egressBusyNs: number; ingressBusyNs: number }[];
  disks: { node: string; busyNs: number }[];
  threads: ThreadSummary[];
}

/** At most this many cluster events go into a summary (a 1,000-partition cluster's start alone elects 1,000 leaders). */
export const CLUSTER_EVENTS_LISTED = 2_000;

/** One event of the cluster log, as src/world/cluster-log.ts records it. */
export interface SummaryClusterEvent {
  timeNs: number;
  /** leader, step-down, in-sync, truncation, node-down, node-up. */
  kind: string;
  /** The partition, queue or broker group; "" for a node-wide event. */
  stream: string;
  /** The new leader ("" for none), the truncating replica, the node declared down or up. */
  node: string;
  /** Leader epoch or Raft term; -1 where the system has none. */
  epoch: number;
  detail: string;
  /** A truncation's new end as a stream position; -1 when it has none. */
  toPosition: number;
}

/** A cluster event as a story tells it. */
export type StoryEvent = Omit<SummaryClusterEvent, "toPosition">;

/**
 * A range of messages the lost check found lost or unseen: where and when
 * they were acknowledged, who led their stream then, what the cluster did
 * to it afterwards, and the likeliest fate (src/scenario/lost-message-stories.ts).
 */
export interface LostMessageStory {
  /** The checker ("lost") and the kind it reported ("lost" or "unseen"). */
  check: string;
  kind: string;
  idFirst: number;
  count: number;
  /** The producing client; "" when the messages were never acknowledged. */
  client: string;
  stream: string;
  /** The first message's position in its stream; -1 when the system gives none. */
  position: number;
  /** When the client got the acknowledgement; -1 when it never did. */
  ackedAtNs: number;
  /** The server that answered; "" when unknown. */
  ackedBy: string;
  /** The stream's leader as last chosen before the acknowledgement, if the cluster log has one. */
  leaderAtAck: { node: string; epoch: number; atNs: number } | null;
  /** The cluster events on its stream, or that befell the node that acknowledged it, from the acknowledgement on (at most 8). */
  after: StoryEvent[];
  /** One line: truncated away on …, never replicated past …, or what else. */
  fate: string;
}

/** One applied fault: the schedule's own data and a display line. */
export type SummaryFault = TimedFault & { line: string };

/**
 * summary.json's format version (docs/summary-schema.md): bumped whenever a
 * field changes its meaning or shape, so a program reading the files can
 * refuse one it does not know.
 */
export const SUMMARY_SCHEMA_VERSION = 2;
