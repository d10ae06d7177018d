/**
 * The extension interface of the scaling report: a design is one line on the
 * charts (Kafka RF 3 with P = 4N partitions, RabbitMQ mirrored queues, …), a
 * function from a cluster size N to one measured point.
 *
 * To add a line (RabbitMQ mirrored "ha-mode: all", quorum queues), write a
 * `Design` whose `measure` runs that system's model under the two workloads
 * of `PointOptions` and fills in a `MeasuredPoint` from the runs' own
 * counters (never from formulas), then add it to `DESIGNS` in designs.ts.
 * The report renders whatever designs are in that list; the bottleneck is
 * named from `resources` by the same rule for every design (bottleneck.ts).
 */
import type { Utilisation } from "../../src/sweep/bottleneck.js";

/** The two workloads every design is measured under, the same for every N. */
export interface PointOptions {
  /** Kernel seed of every run. */
  seed: number;
  /** Every message has this many payload bytes. */
  messageBytes: number;
  /** (a) Replication cost: a fixed offered load, carried in full. */
  fixedLoad: FixedLoadOptions;
  /** (b) Maximum throughput: far more offered than the cluster can take. */
  saturation: SaturationOptions;
}

export interface FixedLoadOptions {
  /** Offered payload bytes per second over all producers (the same for every N). */
  bytesPerSec: number;
  /** Producer client nodes sharing the load (the same for every N). */
  producers: number;
  /** Messages handed to the producer client at once (all to one partition or queue). */
  messagesPerSend: number;
  /** Producers send for this long; then the cluster must settle. */
  sendPhaseNs: number;
  /** Bound on the settling after the send phase. */
  convergeNsMax: number;
}

export interface SaturationOptions {
  /** Offered payload bytes per second by each producer client node. */
  bytesPerSecPerProducer: number;
  /** Producer client nodes per broker (rounded up). */
  producersPerBroker: number;
  /** Messages handed to the producer client at once. */
  messagesPerSend: number;
  /** Virtual time the run lasts (producers offer load the whole time). */
  runNs: number;
  /** Steady-state window over which throughput and utilisation are measured: [from, to). */
  windowFromNs: number;
  windowToNs: number;
  /** Acknowledgements are also counted per bucket of this length, to show the window is steady. */
  bucketNs: number;
  /** How often the producers' in-flight requests are sampled within the window. */
  sampleEveryNs: number;
}

/** One resource's share of its capacity over the steady-state window. */
export interface ResourceUse extends Utilisation {
  node: string;
  /** "NIC egress", "NIC ingress", "disk", and for models that have one, "CPU". */
  kind: string;
  /** A server (broker) machine, a client (producer) machine, or another node of the cluster (Kafka's controller). */
  side: "server" | "client" | "other";
}

/** (a) What replication costs per byte the producers got acknowledged. */
export interface ReplicationCost {
  offeredBytesPerSec: number;
  ackedMessages: number;
  /** Batches (or publishes, for a system without batching) those messages travelled in. */
  ackedBatches: number;
  /** Acknowledged messages × message size: the denominator. */
  ackedPayloadBytes: number;
  /** Bytes on server↔server links, both directions, as put on the wire: protocol headers and Ethernet/IP/TCP framing included. */
  replicationWireBytes: number;
  /** Record bytes the replicas copied from one server to another (message payload plus record-batch headers; no request headers, no framing); null when the design cannot tell. */
  replicationRecordBytes: number | null;
  /** Wire bytes the producers sent to the servers, for the ratio to what crossed the client links. */
  produceWireBytes: number;
  /** In words: which links and traffic classes the numerator counts. */
  counted: string;
  /** Traffic classes seen on server↔server links. */
  classes: string[];
  /** Acknowledged messages missing from the final read (must be 0). */
  lostMessages: number;
  converged: boolean;
  digest: string;
  events: number;
}

/** (b) Acknowledged throughput in a steady-state window under overload, and what was busy. */
export interface SaturationThroughput {
  offeredBytesPerSec: number;
  producers: number;
  windowFromNs: number;
  windowToNs: number;
  ackedBytesPerSec: number;
  ackedMessagesPerSec: number;
  /** Acknowledged payload ÷ offered payload within the window. */
  carriedShare: number;
  /** End of the first bucket (counted from time 0) whose acknowledged rate reached 90 % of the window's: start-up is over by then. */
  rampEndNs: number;
  /** Acknowledged payload bytes per second in each bucket of the window (steadiness). */
  bucketBytesPerSec: number[];
  /** Every NIC direction and disk (and CPU, if modelled), busiest first. */
  resources: ResourceUse[];
  /** Mean share of the producers' in-flight request capacity in use; null if the design has no such limit. */
  producerWindowUse: number | null;
  /** Mean share of the window the producers' buffer.memory was full (send() blocked); null if the design has no such limit. */
  producerBufferFullShare: number | null;
  /** Payload the producer clients had taken (sealed into batches) and not yet got an answer for at the end of the window. */
  producerBacklogBytes: number;
  /** Server↔server wire bytes ÷ acknowledged payload within the window. */
  replicationWirePerPayload: number;
  digest: string;
  events: number;
}

export interface MeasuredPoint {
  brokers: number;
  /** Partitions (or queues) the load is spread over. */
  partitions: number;
  replication: ReplicationCost;
  maxThroughput: SaturationThroughput;
}

export interface Design {
  /** Plain identifier ([a-z0-9-]), unique in the report. */
  id: string;
  /** The line's name on charts and in table headers. */
  label: string;
  system: string;
  /** The design's settings, one line each, for the methodology section. */
  settings: string[];
  /** What we expect to see before measuring: the claim the line tests. */
  expectation: string;
  measure(brokers: number, options: PointOptions): MeasuredPoint | Promise<MeasuredPoint>;
}

/** A line the report announces before it can be measured (its model is not built yet). */
export type PlannedDesign = Pick<Design, "id" | "label" | "system" | "expectation">;

/** A measured point with its bottleneck named (bottleneck.ts), as the report and scaling.json hold it. */
export interface ReportedPoint extends MeasuredPoint {
  bottleneck: string;
}

export interface DesignResult {
  id: string;
  label: string;
  system: string;
  settings: string[];
  expectation: string;
  points: ReportedPoint[];
}
