/**
 * Exports a run as a Chrome/Perfetto trace (the JSON Trace Event Format), so
 * it opens in ui.perfetto.dev or chrome://tracing: each node is a process,
 * faults are slices or instants on a "faults" track of the node they hit,
 * partitions get a track each in a "network" process, and each message batch
 * is a slice on its client and on its broker joined by a flow arrow.
 *
 * Slices on one thread track must nest, but a client has several batches in
 * flight at once; each batch therefore goes to the first of a set of lanes
 * (threads) that is free at its start. A client's lanes are grouped by the
 * broker the batch went to ("→ b1 · 1", "→ b1 · 2", "→ b2 · 1"), and a batch
 * that was refused or timed out ends when its client learnt so, so a run
 * with thousands of failed sends still has a few tracks per client, not
 * one per failure.
 *
 * What the cluster did (the run's cluster log: leaders, in-sync sets,
 * truncations, failure detectors' verdicts) goes on a "cluster" process
 * with one track per stream: each leader's term is a slice, the rest are
 * instants; a node declared down or up is an instant on that node's
 * "failure detector" track.
 * Timestamps are microseconds (the format's unit), as exact decimals of the
 * integer nanoseconds; nothing here reads a clock, so the output is a pure
 * function of the input.
 */
import { compareStrings } from "../kernel/order.js";
import { NS_PER_US } from "../kernel/time.js";
import { leaderTermEndsNs } from "./leader-terms.js";

export interface TraceNodeInput {
  name: string;
  /** Shown after the name ("b1 (broker)"); optional. */
  kind?: string | undefined;
}

export interface TraceFaultInput {
  atNs: number;
  /** processCrash, powerLoss, partition, slowDisk, … */
  verb: string;
  /** A node name puts the fault on that node's faults track; any other name (a partition's) gets its own network track. */
  target: string;
  /** When the fault was undone (restart, heal), for a slice; absent for an instant. */
  endNs?: number | undefined;
  /** The describeFault line or any other detail, shown in the slice's arguments. */
  detail?: string | undefined;
}

export interface TraceBatchInput {
  client: string;
  broker: string;
  sentNs: number;
  /** When the client got the acknowledgement; null if it never did. */
  ackedNs: number | null;
  /** When the client learnt an unacknowledged batch's fate (refused, timed out): its slice ends there; absent, it runs to the end. */
  answeredNs?: number | undefined;
  /** When the broker appended the batch, if known: the broker's slice starts there instead of at the send. */
  appendedNs?: number | undefined;
  messages?: number | undefined;
  /** Slice name, e.g. "t-0 [120..129]"; defaults to "batch". */
  label?: string | undefined;
}

/** One event of the run's cluster log (src/world/cluster-log.ts). */
export interface TraceClusterEventInput {
  timeNs: number;
  kind: string;
  stream: string;
  node: string;
  epoch: number;
  detail: string;
}

export interface TraceInput {
  /** Nodes in display order; names that only faults or batches mention are added after them. */
  nodes: TraceNodeInput[];
  faults: TraceFaultInput[];
  batches: TraceBatchInput[];
  /** What the cluster did, in time order; absent or empty: no cluster process. */
  clusterEvents?: readonly TraceClusterEventInput[] | undefined;
  /** End of the run: open slices (unacknowledged batches) end here. */
  endNs: number;
  /** Free-form facts shown in the trace's metadata (scenario, seed, digest). */
  metadata?: Record<string, string | number> | undefined;
}

export interface TraceOptions {
  /** Batches beyond this many (the earliest sent are kept) are left out; the count left out is in otherData. */
  maxBatches?: number;
}

export type TracePhase = "X" | "i" | "s" | "f" | "M";

export interface TraceEvent {
  name: string;
  ph: TracePhase;
  pid: number;
  tid: number;
  /** Microseconds. Absent only on metadata events. */
  ts?: number;
  dur?: number;
  cat?: string;
  id?: number;
  /** "e": a flow end binds to the slice enclosing it. */
  bp?: "e";
  /** Instant scope: thread. */
  s?: "t";
  args?: Record<string, string | number | boolean>;
}

export interface ChromeTrace {
  traceEvents: TraceEvent[];
  displayTimeUnit: "ns";
  otherData: Record<string, string | number>;
}

export const DEFAULT_MAX_BATCHES = 50_000;
/** Thread ids are unique across the whole trace (viewers key threads by tid): pid × this + local index. */
const TIDS_PER_PROCESS = 100_000;
const FAULT_LANES_BASE = 1;
const BATCH_LANES_BASE = 50_000;
/** A client's lanes toward one broker: at most this many (more share the last), grouped per broker. */
const LANES_PER_BROKER = 1_000;
/** A node's failure-detector track. */
const DETECTOR_TRACK = 40_000;
/** The cluster process has a track per stream, up to this many; later streams share one. */
const STREAM_TRACKS_MAX = 2_000;
/** Overlapping faults on one partition track; more than this share the last lane (and may then overlap). */
const LANES_PER_TARGET = 100;

const toUs = (ns: number): number => ns / NS_PER_US;

/** Assigns intervals to the first lane free strictly before their start, so slices on one lane never touch. */
class Lanes {
  private readonly ends: number[] = [];

  place(startNs: number, endNs: number): number {
    let lane = this.ends.findIndex((end) => end < startNs);
    if (lane === -1) lane = this.ends.push(endNs) - 1;
    else this.ends[lane] = endNs;
    return lane;
  }
}

interface Process {
  pid: number;
  name: string;
  threads: Map<number, string>;
  faultLanes: Lanes;
  batchLanes: Lanes;
  /** A client's lanes per broker it sent to, in order of first use. */
  brokerLanes: Map<string, { index: number; lanes: Lanes }>;
}

class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private readonly processes = new Map<string, Process>();
  private readonly order: Process[] = [];
  private readonly partitionTracks = new Map<string, { index: number; lanes: Lanes }>();

  process(name: string, label = name): Process {
    let process = this.processes.get(name);
    if (process === undefined) {
      process = { pid: this.order.length + 1, name: label, threads: new Map(), faultLanes: new Lanes(), batchLanes: new Lanes(), brokerLanes: new Map() };
      this.processes.set(name, process);
      this.order.push(process);
    }
    return process;
  }

  has(name: string): boolean {
    return this.processes.has(name);
  }

  thread(process: Process, local: number, name: string): number {
    const tid = process.pid * TIDS_PER_PROCESS + local;
    if (!process.threads.has(tid)) process.threads.set(tid, name);
    return tid;
  }

  /** A track in the network process for a partition (or any fault target that is not a node), with lanes for overlaps. */
  partitionTrack(network: Process, target: string, startNs: number, endNs: number): number {
    let track = this.partitionTracks.get(target);
    if (track === undefined) {
      track = { index: this.partitionTracks.size, lanes: new Lanes() };
      this.partitionTracks.set(target, track);
    }
    const lane = track.lanes.place(startNs, endNs);
    const local = FAULT_LANES_BASE + track.index * LANES_PER_TARGET + Math.min(lane, LANES_PER_TARGET - 1);
    return this.thread(network, local, lane === 0 ? target : `${target} (${lane + 1})`);
  }

  metadataEvents(): TraceEvent[] {
    const out: TraceEvent[] = [];
    this.order.forEach((process, k) => {
      out.push({ name: "process_name", ph: "M", pid: process.pid, tid: 0, args: { name: process.name } });
      out.push({ name: "process_sort_index", ph: "M", pid: process.pid, tid: 0, args: { sort_index: k } });
      const tids = [...process.threads.keys()].sort((a, b) => a - b);
      for (const tid of tids) {
        out.push({ name: "thread_name", ph: "M", pid: process.pid, tid, args: { name: process.threads.get(tid)! } });
        out.push({ name: "thread_sort_index", ph: "M", pid: process.pid, tid, args: { sort_index: tid % TIDS_PER_PROCESS } });
      }
    });
    return out;
  }
}

function checkInterval(what: string, startNs: number, endNs: number): void {
  if (!Number.isFinite(startNs) || !Number.isFinite(endNs) || endNs < startNs) {
    throw new Error(`${what}: interval [${startNs}, ${endNs}] ns is not a forward interval`);
  }
}

function addFault(builder: TraceBuilder, network: () => ReturnType<TraceBuilder["process"]>, fault: TraceFaultInput): void {
  const endNs = fault.endNs ?? fault.atNs;
  checkInterval(`fault ${fault.verb} ${fault.target}`, fault.atNs, endNs);
  const args: Record<string, string> = { target: fault.target };
  if (fault.detail !== undefined) args["detail"] = fault.detail;
  let pid: number;
  let tid: number;
  if (builder.has(fault.target)) {
    const process = builder.process(fault.target);
    const lane = process.faultLanes.place(fault.atNs, endNs);
    pid = process.pid;
    tid = builder.thread(process, FAULT_LANES_BASE + lane, lane === 0 ? "faults" : `faults (${lane + 1})`);
  } else {
    const process = network();
    pid = process.pid;
    tid = builder.partitionTrack(process, fault.target, fault.atNs, endNs);
  }
  if (fault.endNs === undefined) {
    builder.events.push({ name: fault.verb, ph: "i", s: "t", cat: "fault", pid, tid, ts: toUs(fault.atNs), args });
  } else {
    builder.events.push({ name: fault.verb, ph: "X", cat: "fault", pid, tid, ts: toUs(fault.atNs), dur: toUs(endNs - fault.atNs), args });
  }
}

function addBatch(builder: TraceBuilder, batch: TraceBatchInput, flowId: number, endNs: number): void {
  const name = batch.label ?? "batch";
  const clientEnd = batch.ackedNs ?? batch.answeredNs ?? Math.max(endNs, batch.sentNs);
  checkInterval(`batch ${name} from ${batch.client}`, batch.sentNs, clientEnd);
  const client = builder.process(batch.client);
  let toBroker = client.brokerLanes.get(batch.broker);
  if (toBroker === undefined) {
    toBroker = { index: client.brokerLanes.size, lanes: new Lanes() };
    client.brokerLanes.set(batch.broker, toBroker);
  }
  const clientLane = Math.min(toBroker.lanes.place(batch.sentNs, clientEnd), LANES_PER_BROKER - 1);
  const clientTid = builder.thread(client, BATCH_LANES_BASE + toBroker.index * LANES_PER_BROKER + clientLane, `→ ${batch.broker} · ${clientLane + 1}`);
  const args: Record<string, string | number | boolean> = { broker: batch.broker, acked: batch.ackedNs !== null };
  if (batch.messages !== undefined) args["messages"] = batch.messages;
  builder.events.push({
    name: batch.ackedNs === null ? `${name} (no ack)` : name,
    ph: "X",
    cat: "batch",
    pid: client.pid,
    tid: clientTid,
    ts: toUs(batch.sentNs),
    dur: toUs(clientEnd - batch.sentNs),
    args,
  });
  // An unacknowledged batch may never have reached its broker: no broker slice, no arrow.
  if (batch.ackedNs === null) return;
  const brokerStart = batch.appendedNs ?? batch.sentNs;
  checkInterval(`batch ${name} at ${batch.broker}`, brokerStart, batch.ackedNs);
  if (brokerStart < batch.sentNs) throw new Error(`batch ${name}: appended at ${brokerStart} ns, before its send at ${batch.sentNs} ns`);
  const broker = builder.process(batch.broker);
  const brokerLane = broker.batchLanes.place(brokerStart, batch.ackedNs);
  const brokerTid = builder.thread(broker, BATCH_LANES_BASE + brokerLane, `batches ${brokerLane + 1}`);
  // Flow events bind to the slice open on their track at their timestamp: each follows its slice in the array,
  // and viewers keep file order among events with equal timestamps.
  builder.events.push(
    { name: "batch", ph: "s", cat: "batch", id: flowId, pid: client.pid, tid: clientTid, ts: toUs(batch.sentNs) },
    {
      name: `${name} from ${batch.client}`,
      ph: "X",
      cat: "batch",
      pid: broker.pid,
      tid: brokerTid,
      ts: toUs(brokerStart),
      dur: toUs(batch.ackedNs - brokerStart),
      args: { client: batch.client },
    },
    { name: "batch", ph: "f", bp: "e", cat: "batch", id: flowId, pid: broker.pid, tid: brokerTid, ts: toUs(brokerStart) },
  );
}

/** Leaders' terms as slices on their stream's track, everything else as instants; detectors' verdicts on the node's own track. */
function addClusterEvents(builder: TraceBuilder, events: readonly TraceClusterEventInput[], endNs: number): void {
  if (events.length === 0) return;
  const cluster = builder.process("\u0000cluster", "cluster (leaders, in-sync sets, truncations)");
  const streamTracks = new Map<string, number>();
  const trackOf = (stream: string): number => {
    let index = streamTracks.get(stream);
    if (index === undefined) {
      index = Math.min(streamTracks.size, STREAM_TRACKS_MAX - 1);
      streamTracks.set(stream, index);
    }
    return builder.thread(cluster, 1 + index, index === STREAM_TRACKS_MAX - 1 ? "other streams" : stream === "" ? "(whole cluster)" : stream);
  };
  const termEndsNs = leaderTermEndsNs(events, endNs);
  events.forEach((event, k) => {
    const args: Record<string, string | number> = { node: event.node, detail: event.detail };
    if (event.epoch >= 0) args["epoch"] = event.epoch;
    if (event.kind === "node-down" || event.kind === "node-up") {
      const node = builder.has(event.node) ? builder.process(event.node) : cluster;
      const tid = builder.thread(node, DETECTOR_TRACK, "failure detector");
      builder.events.push({ name: `${event.kind} ${event.node}`, ph: "i", s: "t", cat: "cluster", pid: node.pid, tid, ts: toUs(event.timeNs), args });
      return;
    }
    const tid = trackOf(event.stream);
    if (event.kind !== "leader") {
      builder.events.push({ name: `${event.kind} ${event.node}`, ph: "i", s: "t", cat: "cluster", pid: cluster.pid, tid, ts: toUs(event.timeNs), args });
      return;
    }
    const untilNs = termEndsNs[k]!;
    const name = event.node === "" ? "no leader" : `leader ${event.node}${event.epoch >= 0 ? ` (epoch ${event.epoch})` : ""}`;
    builder.events.push({ name, ph: "X", cat: "cluster", pid: cluster.pid, tid, ts: toUs(event.timeNs), dur: toUs(untilNs - event.timeNs), args });
  });
}

export function toChromeTrace(input: TraceInput, options: TraceOptions = {}): ChromeTrace {
  const maxBatches = options.maxBatches ?? DEFAULT_MAX_BATCHES;
  const builder = new TraceBuilder();
  for (const node of input.nodes) builder.process(node.name, node.kind === undefined ? node.name : `${node.name} (${node.kind})`);
  const networkName = "\u0000network";
  const network = (): Process => builder.process(networkName, "network (partitions)");

  // Lanes fill in time order, so intervals are placed by start (then input order, for ties).
  const byStart = <T>(items: readonly T[], start: (item: T) => number): T[] =>
    items
      .map((item, index) => ({ item, index }))
      .sort((a, b) => start(a.item) - start(b.item) || a.index - b.index)
      .map(({ item }) => item);
  const batches = byStart(input.batches, (b) => b.sentNs);
  const kept = batches.slice(0, maxBatches);
  // Clients and brokers are processes before any fault is placed, so a fault on a client lands on its track.
  for (const batch of kept) {
    builder.process(batch.client);
    if (batch.ackedNs !== null) builder.process(batch.broker);
  }
  for (const fault of byStart(input.faults, (f) => f.atNs)) addFault(builder, network, fault);
  kept.forEach((batch, k) => addBatch(builder, batch, k + 1, input.endNs));
  addClusterEvents(builder, input.clusterEvents ?? [], input.endNs);

  // Stable sort: events with equal timestamps keep the order above (a flow after the slice it binds to).
  const timed = builder.events.map((event, index) => ({ event, index }));
  timed.sort((a, b) => a.event.ts! - b.event.ts! || a.index - b.index);
  const otherData: Record<string, string | number> = {};
  const metadata = input.metadata ?? {};
  for (const key of Object.keys(metadata).sort(compareStrings)) otherData[key] = metadata[key]!;
  otherData["batches"] = kept.length;
  otherData["batchesLeftOut"] = batches.length - kept.length;
  return { traceEvents: [...builder.metadataEvents(), ...timed.map(({ event }) => event)], displayTimeUnit: "ns", otherData };
}

/** The trace as JSON text, one event per line so large traces diff and grep well. */
export function chromeTraceJson(input: TraceInput, options: TraceOptions = {}): string {
  const trace = toChromeTrace(input, options);
  const events = trace.traceEvents.map((event) => JSON.stringify(event)).join(",\n");
  return `{"displayTimeUnit":"ns","otherData":${JSON.stringify(trace.otherData)},"traceEvents":[\n${events}\n]}\n`;
}
