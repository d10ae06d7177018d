/**
 * Measuring one run: latency percentiles, throughput and what was lost, all
 * read from the simulation run (runKafka's History and its "lost" check),
 * never from formulas.
 */
import type { History } from "../../src/history/history.js";
import { newLatencyHistogram } from "../../src/history/latency-histogram.js";
import type { FaultSchedule } from "../../src/faults/fault.js";
import type { Acks } from "../../src/systems/kafka/config.js";
import { runKafka } from "../../src/systems/kafka/run.js";
import { MESSAGE_BYTES, runSpec, SECOND, SEED, STALL_NS, WARMUP_NS, type Scenario, type ScenarioId } from "./scenarios.js";

export interface RunReport {
  scenario: ScenarioId;
  variant: number;
  acks: Acks;
  seed: number;
  faults: FaultSchedule;
  faultPhaseNs: number;
  offeredMessagesPerSec: number;
  digest: string;
  events: number;
  endNs: number;
  converged: boolean;
  batches: number;
  messagesSent: number;
  /** Messages whose send-result was "ok" (the lost check's "acked"). */
  acked: number;
  /** Acknowledged, then missing from the final read with later offsets present or no offset known. */
  lost: number;
  /** Acknowledged, missing, and nothing after them read (lost or late). */
  unseen: number;
  /** Acknowledged-then-lost messages by the time their acknowledgement came: [first, last] (ns), or null. */
  lostAckedBetweenNs: [number, number] | null;
  /** Messages whose send-result was "error" (surely not written) or "unknown" (maybe written). */
  errorMessages: number;
  unknownMessages: number;
  /** Produce attempts that failed (op-failed events: retried or final). */
  failedAttempts: number;
  latency: LatencySummary;
  throughputMessagesPerSec: number;
  throughputMBPerSec: number;
  /** Longest time one partition went without an acknowledgement (while sends were being offered). */
  longestAckGapNs: number;
  longestAckGapStream: string;
  /** Per partition, the longest time it acknowledged nothing while sends were offered. */
  ackGapNsByStream: Record<string, number>;
  /** Partitions whose longest gap exceeds STALL_NS. */
  partitionsStalled: number;
  /** runKafka's own unavailability check (per client: a window opens at a failed attempt and closes at any success). */
  unavailabilityCheck: Record<string, number>;
  marks: Record<string, number>;
}

export interface LatencySummary {
  /** Batches counted (acknowledged, sealed after the warm-up). */
  batches: number;
  p50Ns: number;
  p99Ns: number;
  p999Ns: number;
  maxNs: number;
}

const MARKS_KEPT = [
  "kafka.leader.failover",
  "kafka.broker.fenced",
  "kafka.broker.reregistered",
  "kafka.truncate",
  "kafka.producer.retry",
  "kafka.isr.shrink",
  "kafka.election.unclean",
  "kafka.partition.offline",
];

export function measure(scenario: Scenario, acks: Acks): RunReport {
  const spec = runSpec(scenario, acks);
  const result = runKafka(spec);
  const history = result.history;
  const lostCheck = result.checks.find((check) => check.check === "lost");
  if (lostCheck === undefined) throw new Error("the lost check did not run");

  const { histogram, batches, messagesSent, acked, errorMessages, unknownMessages, failedAttempts, inWindow, okTimesByStream } = tallyHistory(history, scenario);
  if (acked !== lostCheck.counts["acked"]) throw new Error(`acknowledged ${acked} by the history, ${lostCheck.counts["acked"]} by the lost check`);

  const { longestAckGapNs, longestAckGapStream, partitionsStalled, ackGapNsByStream } = ackGaps(okTimesByStream, scenario.faultPhaseNs);
  const unavailability = result.checks.find((check) => check.check === "unavailability");

  const windowSec = (scenario.throughputToNs - scenario.throughputFromNs) / SECOND;
  const marks: Record<string, number> = {};
  for (const name of MARKS_KEPT) marks[name] = result.marks.find(([mark]) => mark === name)?.[1] ?? 0;
  return {
    scenario: scenario.id,
    variant: scenario.variant,
    acks,
    seed: SEED,
    faults: scenario.faults,
    faultPhaseNs: scenario.faultPhaseNs,
    offeredMessagesPerSec: scenario.rate,
    digest: result.digest,
    events: result.events,
    endNs: result.timeNs,
    converged: result.liveness.isConverged,
    batches,
    messagesSent,
    acked,
    lost: lostCheck.counts["lost"] ?? 0,
    unseen: lostCheck.counts["unseen"] ?? 0,
    lostAckedBetweenNs: lostAckTimes(history),
    errorMessages,
    unknownMessages,
    failedAttempts,
    latency: {
      batches: histogram.totalCount,
      p50Ns: histogram.getValueAtPercentile(50),
      p99Ns: histogram.getValueAtPercentile(99),
      p999Ns: histogram.getValueAtPercentile(99.9),
      maxNs: histogram.maxValue,
    },
    throughputMessagesPerSec: inWindow / windowSec,
    throughputMBPerSec: (inWindow * MESSAGE_BYTES) / windowSec / 1e6,
    longestAckGapNs,
    longestAckGapStream,
    ackGapNsByStream,
    partitionsStalled,
    unavailabilityCheck: { ...(unavailability?.counts ?? {}) },
    marks,
  };
}

/** What the history says of the producer's sends: counts, latencies (after the warm-up), and each partition's acknowledgement times. */
function tallyHistory(history: History, scenario: Scenario) {
  const sealedAt = new Map<number, number>();
  const histogram = newLatencyHistogram();
  let batches = 0;
  let messagesSent = 0;
  let acked = 0;
  let errorMessages = 0;
  let unknownMessages = 0;
  let failedAttempts = 0;
  let inWindow = 0;
  const okTimesByStream = new Map<string, number[]>();
  for (const event of history.events) {
    if (event.type === "send") {
      sealedAt.set(event.idFirst, event.timeNs);
      batches++;
      messagesSent += event.count;
    } else if (event.type === "send-result") {
      if (event.outcome === "error") errorMessages += event.count;
      else if (event.outcome === "unknown") unknownMessages += event.count;
      if (event.outcome !== "ok") continue;
      acked += event.count;
      const sentNs = sealedAt.get(event.idFirst);
      if (sentNs === undefined) throw new Error(`send-result for ids from ${event.idFirst} without a send`);
      if (sentNs >= WARMUP_NS) histogram.recordValue(event.timeNs - sentNs);
      if (event.timeNs >= scenario.throughputFromNs && event.timeNs < scenario.throughputToNs) inWindow += event.count;
      let times = okTimesByStream.get(event.stream);
      if (times === undefined) okTimesByStream.set(event.stream, (times = []));
      times.push(event.timeNs);
    } else if (event.type === "op-failed" && event.op === "send") {
      failedAttempts++;
    }
  }
  return { histogram, batches, messagesSent, acked, errorMessages, unknownMessages, failedAttempts, inWindow, okTimesByStream };
}

/** The longest stretch without an acknowledgement on each partition while sends were offered, the longest of all, and how many stalled. */
function ackGaps(okTimesByStream: ReadonlyMap<string, number[]>, faultPhaseNs: number) {
  let longestAckGapNs = 0;
  let longestAckGapStream = "";
  let partitionsStalled = 0;
  const ackGapNsByStream: Record<string, number> = {};
  for (const [stream, times] of [...okTimesByStream.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let longest = 0;
    for (let i = 1; i < times.length; i++) {
      const previous = times[i - 1]!;
      if (previous < WARMUP_NS || previous >= faultPhaseNs) continue;
      longest = Math.max(longest, times[i]! - previous);
    }
    ackGapNsByStream[stream] = longest;
    if (longest > STALL_NS) partitionsStalled++;
    if (longest > longestAckGapNs) {
      longestAckGapNs = longest;
      longestAckGapStream = stream;
    }
  }
  return { longestAckGapNs, longestAckGapStream, partitionsStalled, ackGapNsByStream };
}

/** When the acknowledged messages that the final read lacks were acknowledged (first and last). */
function lostAckTimes(history: History): [number, number] | null {
  const delivered = new Uint8Array(history.idLimit);
  for (const event of history.events) {
    if (event.type !== "deliver") continue;
    delivered.fill(1, event.idFirst, event.idFirst + event.count);
  }
  let first = -1;
  let last = -1;
  for (const event of history.events) {
    if (event.type !== "send-result" || event.outcome !== "ok") continue;
    for (let id = event.idFirst; id < event.idFirst + event.count; id++) {
      if (delivered[id] === 1) continue;
      if (first < 0) first = event.timeNs;
      last = event.timeNs;
      break;
    }
  }
  return first < 0 ? null : [first, last];
}
