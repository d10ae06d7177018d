/**
 * acks=0 / 1 / all on one Kafka cluster (`npm run bench:kafka-acks`):
 * latency percentiles, throughput and what each setting loses when a
 * partition leader dies — all measured from simulation runs (runKafka's
 * History and its "lost" check), never from formulas.
 *
 * Every run uses the same cluster (3 brokers, one topic of 6 partitions,
 * replication factor 3, min.insync.replicas=2, unclean election off) and the
 * same producer settings (Kafka's defaults) except `acks`. Seeds and fault
 * instants are fixed, so the report is identical on every machine; only the
 * wall time printed on the console varies.
 *
 * Writes reports/kafka-acks.md and reports/kafka-acks.json.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build as buildHistogram } from "hdr-histogram-js";
import type { History } from "../src/clients/history.js";
import type { FaultSchedule } from "../src/faults/fault.js";
import { DEFAULT_NETWORK_OPTIONS } from "../src/world/network-options.js";
import { DEFAULT_BROKER_CONFIG, type Acks, type KafkaBrokerConfig } from "../src/systems/kafka/config.js";
import { resolveProducerConfig } from "../src/systems/kafka/producer-config.js";
import { DATA_CLASS } from "../src/systems/kafka/protocol.js";
import { runKafka, type KafkaRunSpec } from "../src/systems/kafka/run.js";

const SEED = 42;
const SECOND = 1_000_000_000;
const MS = 1_000_000;
const US = 1_000;

const ACKS: readonly Acks[] = [0, 1, "all"];
const TOPIC = "t";
const PARTITIONS = 6;
const BROKERS = 3;
const REPLICATION_FACTOR = 3;
const BROKER_CONFIG: Partial<KafkaBrokerConfig> = { "min.insync.replicas": 2, "unclean.leader.election.enable": false };
const DISK = "nvme";
/** Kreps' 2014 benchmark record size. */
const MESSAGE_BYTES = 100;
/** Steady load: 20 messages every millisecond, each hand-off to the next partition in turn. */
const STEADY_RATE = 20_000;
const STEADY_PER_SEND = 20;
/** Saturation: far more than one producer can push with 5 requests in flight per broker. */
const SATURATED_RATE = 8_000_000;
const SATURATED_PER_SEND = 8_000;
/** Latencies are measured for batches sealed after this (metadata and the first elections happen before). */
const WARMUP_NS = 1 * SECOND;
/** The broker whose leaderships are lost: b1 leads partitions 0 and 3 (preferred replicas rotate). */
const VICTIM = "b1";
const FOLLOWERS = ["b2", "b3"];
/** Kill -9 instants: one every 250 µs over 3 ms (b1 gets a batch every 3 ms), off the 1 ms producer grid. */
const SWEEP_FIRST_NS = 3 * SECOND + 37 * US;
const SWEEP_STEP_NS = 250 * US;
const SWEEP_COUNT = 12;
/**
 * A fine scan of kill -9 instants around the flight of two of b1's batches,
 * sealed by the producer at 3.000 s and 3.003 s: from 250 µs to 400 µs after
 * the seal, every 10 µs — when the leader's acknowledgement and its copy to
 * the followers are on the wire.
 */
const SCAN_SEALS_NS = [3 * SECOND, 3 * SECOND + 3 * MS];
const SCAN_FIRST_OFFSET_NS = 250 * US;
const SCAN_STEP_NS = 10 * US;
const SCAN_COUNT = 16;
/** A partition that acknowledged nothing for longer than this counts as stalled. */
const STALL_NS = 1 * SECOND;
/** Scenarios × acks settings. */
const SCENARIO_RUNS = (2 + SWEEP_COUNT + SCAN_SEALS_NS.length * SCAN_COUNT + 3) * 3;

type ScenarioId = "steady" | "saturated" | "kill9" | "kill9-scan" | "power-loss" | "lagging-followers" | "fast-restart";

interface Scenario {
  id: ScenarioId;
  /** For sweeps, which instant (0-based). */
  variant: number;
  faults: FaultSchedule;
  faultPhaseNs: number;
  rate: number;
  perSend: number;
  /** Throughput is counted over acknowledgements in [from, to). */
  throughputFromNs: number;
  throughputToNs: number;
}

interface RunReport {
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

interface LatencySummary {
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

// ---------------------------------------------------------------- scenarios

function steady(): Scenario {
  return { id: "steady", variant: 0, faults: [], faultPhaseNs: 20 * SECOND, rate: STEADY_RATE, perSend: STEADY_PER_SEND, throughputFromNs: WARMUP_NS, throughputToNs: 20 * SECOND };
}

function saturated(): Scenario {
  return {
    id: "saturated",
    variant: 0,
    faults: [],
    faultPhaseNs: 1.2 * SECOND,
    rate: SATURATED_RATE,
    perSend: SATURATED_PER_SEND,
    throughputFromNs: 0.4 * SECOND,
    throughputToNs: 1.2 * SECOND,
  };
}

/** kill -9 of b1 at one of SWEEP_COUNT instants; it restarts after the controller has moved its leaderships. */
function kill9(variant: number): Scenario {
  return kill9At("kill9", variant, SWEEP_FIRST_NS + variant * SWEEP_STEP_NS);
}

function kill9Scan(variant: number): Scenario {
  const seal = SCAN_SEALS_NS[Math.floor(variant / SCAN_COUNT)]!;
  return kill9At("kill9-scan", variant, seal + SCAN_FIRST_OFFSET_NS + (variant % SCAN_COUNT) * SCAN_STEP_NS);
}

function kill9At(id: ScenarioId, variant: number, atNs: number): Scenario {
  return {
    id,
    variant,
    faults: [
      { atNs, verb: "processCrash", node: VICTIM },
      { atNs: 14 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 15 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 15 * SECOND,
  };
}

function powerLoss(): Scenario {
  return { ...kill9(0), id: "power-loss", faults: [{ atNs: SWEEP_FIRST_NS, verb: "powerLoss", node: VICTIM }, { atNs: 14 * SECOND, verb: "restart", node: VICTIM }] };
}

/**
 * b1's replication traffic to its followers stalls for 2 s (a congested link,
 * a slow follower: well inside replica.lag.time.max.ms = 30 s, so the ISR
 * keeps them), then b1 is killed.
 */
function laggingFollowers(): Scenario {
  return {
    id: "lagging-followers",
    variant: 0,
    faults: [
      { atNs: 3 * SECOND, verb: "partition", name: "replication-stall", spec: { kind: "one-way", from: [VICTIM], to: FOLLOWERS, classes: [DATA_CLASS] } },
      { atNs: 5 * SECOND, verb: "processCrash", node: VICTIM },
      { atNs: 5 * SECOND, verb: "heal", name: "replication-stall" },
      { atNs: 16 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 17 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 17 * SECOND,
  };
}

/** b1 is killed and restarts 5 s later, before broker.session.timeout.ms (9 s) has expired. */
function fastRestart(): Scenario {
  return {
    id: "fast-restart",
    variant: 0,
    faults: [
      { atNs: SWEEP_FIRST_NS, verb: "processCrash", node: VICTIM },
      { atNs: 8 * SECOND, verb: "restart", node: VICTIM },
    ],
    faultPhaseNs: 15 * SECOND,
    rate: STEADY_RATE,
    perSend: STEADY_PER_SEND,
    throughputFromNs: WARMUP_NS,
    throughputToNs: 15 * SECOND,
  };
}

function runSpec(scenario: Scenario, acks: Acks): KafkaRunSpec {
  return {
    seed: SEED,
    cluster: {
      brokers: BROKERS,
      topics: [{ name: TOPIC, partitions: PARTITIONS, replicationFactor: REPLICATION_FACTOR }],
      config: BROKER_CONFIG,
      disk: DISK,
    },
    producers: [
      {
        name: "p1",
        topic: TOPIC,
        partitions: PARTITIONS,
        messagesPerSecond: scenario.rate,
        messagesPerSend: scenario.perSend,
        bytesPerMessage: MESSAGE_BYTES,
        config: { acks },
      },
    ],
    faults: scenario.faults,
    faultPhaseNs: scenario.faultPhaseNs,
    convergeNsMax: 60 * SECOND,
    checks: { checks: ["lost", "unavailability"] },
  };
}

// ---------------------------------------------------------------- measuring one run

function measure(scenario: Scenario, acks: Acks): RunReport {
  const spec = runSpec(scenario, acks);
  const result = runKafka(spec);
  const history = result.history;
  const lostCheck = result.checks.find((check) => check.check === "lost");
  if (lostCheck === undefined) throw new Error("the lost check did not run");

  const sealedAt = new Map<number, number>();
  const histogram = buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 600 * SECOND, numberOfSignificantValueDigits: 3, autoResize: true });
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
  if (acked !== lostCheck.counts["acked"]) throw new Error(`acknowledged ${acked} by the history, ${lostCheck.counts["acked"]} by the lost check`);

  // The longest stretch without an acknowledgement on one partition, while sends were offered.
  let longestAckGapNs = 0;
  let longestAckGapStream = "";
  let partitionsStalled = 0;
  const ackGapNsByStream: Record<string, number> = {};
  for (const [stream, times] of [...okTimesByStream.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let longest = 0;
    for (let i = 1; i < times.length; i++) {
      const previous = times[i - 1]!;
      if (previous < WARMUP_NS || previous >= scenario.faultPhaseNs) continue;
      longest = Math.max(longest, times[i]! - previous);
    }
    ackGapNsByStream[stream] = longest;
    if (longest > STALL_NS) partitionsStalled++;
    if (longest > longestAckGapNs) {
      longestAckGapNs = longest;
      longestAckGapStream = stream;
    }
  }
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

// ---------------------------------------------------------------- report

const fmtInt = (value: number): string => Math.round(value).toLocaleString("en-US");
const fmtMs = (ns: number): string => (ns / MS).toFixed(3);
const fmtSec = (ns: number): string => (ns / SECOND).toFixed(2);
const acksName = (acks: Acks): string => `acks=${acks}`;

function byAcks(runs: readonly RunReport[], scenario: ScenarioId, acks: Acks): RunReport[] {
  return runs.filter((run) => run.scenario === scenario && run.acks === acks);
}

function one(runs: readonly RunReport[], scenario: ScenarioId, acks: Acks): RunReport {
  const found = byAcks(runs, scenario, acks);
  if (found.length !== 1) throw new Error(`${found.length} runs of ${scenario} with acks=${acks}`);
  return found[0]!;
}

interface SweepTotals {
  runs: number;
  runsWithLoss: number;
  acked: number;
  lost: number;
  unseen: number;
  errorMessages: number;
  unknownMessages: number;
  failedAttempts: number;
  longestAckGapNs: number;
  maxLatencyNs: number;
  /** The most partitions stalled (> STALL_NS without an acknowledgement) in one run. */
  partitionsStalledMax: number;
}

function sweepTotals(runs: readonly RunReport[]): SweepTotals {
  const totals: SweepTotals = { runs: runs.length, runsWithLoss: 0, acked: 0, lost: 0, unseen: 0, errorMessages: 0, unknownMessages: 0, failedAttempts: 0, longestAckGapNs: 0, maxLatencyNs: 0, partitionsStalledMax: 0 };
  for (const run of runs) {
    if (run.lost + run.unseen > 0) totals.runsWithLoss++;
    totals.acked += run.acked;
    totals.lost += run.lost;
    totals.unseen += run.unseen;
    totals.errorMessages += run.errorMessages;
    totals.unknownMessages += run.unknownMessages;
    totals.failedAttempts += run.failedAttempts;
    totals.longestAckGapNs = Math.max(totals.longestAckGapNs, run.longestAckGapNs);
    totals.maxLatencyNs = Math.max(totals.maxLatencyNs, run.latency.maxNs);
    totals.partitionsStalledMax = Math.max(totals.partitionsStalledMax, run.partitionsStalled);
  }
  return totals;
}

function describeFaults(faults: FaultSchedule): string {
  return faults
    .map((fault) => {
      const at = `${(fault.atNs / SECOND).toFixed(6).replace(/0+$/, "").replace(/\.$/, "")} s`;
      if (fault.verb === "partition") {
        const spec = fault.spec;
        const detail = spec.kind === "one-way" ? ` ${spec.from.join(",")} -> ${spec.to.join(",")} (${(spec.classes ?? ["all"]).join(",")})` : "";
        return `${at} partition ${fault.name ?? ""}${detail}`;
      }
      if (fault.verb === "heal") return `${at} heal ${fault.name ?? "all"}`;
      return `${at} ${fault.verb}${"node" in fault ? ` ${fault.node}` : ""}`;
    })
    .join("; ");
}

/** Offsets (ns) at which something was lost, as "250–290 µs, 330 µs". */
function offsetRanges(offsetsNs: readonly number[]): string {
  if (offsetsNs.length === 0) return "none";
  const parts: string[] = [];
  let start = offsetsNs[0]!;
  let previous = start;
  const flush = (): void => void parts.push(start === previous ? `${start / US} µs` : `${start / US}–${previous / US} µs`);
  for (const offset of offsetsNs.slice(1)) {
    if (offset === previous + SCAN_STEP_NS) {
      previous = offset;
      continue;
    }
    flush();
    start = previous = offset;
  }
  flush();
  return parts.join(", ");
}

function sourceVersion(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { encoding: "utf8" }).trim() !== "";
    return `src/ at commit ${commit}${dirty ? " plus uncommitted changes" : ""}`;
  } catch {
    return "src/ at an unknown commit (git unavailable)";
  }
}

function renderMarkdown(runs: readonly RunReport[], source: string): string {
  const lines: string[] = [];
  const push = (...text: string[]): void => void lines.push(...text);
  const steadyRuns = ACKS.map((acks) => one(runs, "steady", acks));
  const saturatedRuns = ACKS.map((acks) => one(runs, "saturated", acks));
  const sweep = ACKS.map((acks) => sweepTotals(byAcks(runs, "kill9", acks)));
  const scan = ACKS.map((acks) => sweepTotals(byAcks(runs, "kill9-scan", acks)));
  const powerRuns = ACKS.map((acks) => one(runs, "power-loss", acks));
  const lagRuns = ACKS.map((acks) => one(runs, "lagging-followers", acks));
  const fastRuns = ACKS.map((acks) => one(runs, "fast-restart", acks));
  const producer = ACKS.map((acks) => resolveProducerConfig({ acks }));
  const p0 = producer[0]!.kafka;
  const broker = { ...DEFAULT_BROKER_CONFIG, ...BROKER_CONFIG };
  const [steady0, steady1, steadyAll] = steadyRuns as [RunReport, RunReport, RunReport];
  const [lag0, lag1, lagAll] = lagRuns as [RunReport, RunReport, RunReport];
  const [power0, power1, powerAll] = powerRuns as [RunReport, RunReport, RunReport];
  const fast0 = fastRuns[0]!;
  const lostOf = (r: { lost: number; unseen: number }): string => fmtInt(r.lost + r.unseen);
  const totalUnseen = runs.reduce((sum, r) => sum + r.unseen, 0);
  const sessionSec = broker["broker.session.timeout.ms"] / 1000;
  const scanLossOffsets = (acks: Acks, seal: number): number[] =>
    byAcks(runs, "kill9-scan", acks)
      .filter((r) => Math.floor(r.variant / SCAN_COUNT) === seal && r.lost + r.unseen > 0)
      .map((r) => SCAN_FIRST_OFFSET_NS + (r.variant % SCAN_COUNT) * SCAN_STEP_NS);
  const scanLast = SCAN_FIRST_OFFSET_NS + (SCAN_COUNT - 1) * SCAN_STEP_NS;
  const stalled = (i: number): number => Math.max(sweep[i]!.partitionsStalledMax, powerRuns[i]!.partitionsStalled, lagRuns[i]!.partitionsStalled);
  const longestGap = (i: number): number => Math.max(sweep[i]!.longestAckGapNs, powerRuns[i]!.longestAckGapNs);

  push("# Kafka acks=0 / 1 / all: latency, throughput and loss when a leader dies");
  push("");
  push(
    "Generated by `npm run bench:kafka-acks` (bench/kafka-acks.ts) from simulation runs of mqsim's Kafka model (`runKafka`), " +
      `seed ${SEED}, ${source}. Every number is read from a run's History (its \`send\` and \`send-result\` events) or from the ` +
      "`lost` check in runKafka's result; none comes from a formula. The runs are deterministic: the same source gives the same report, " +
      "and each run's trace digest is in reports/kafka-acks.json.",
  );
  push("");
  push("## At a glance");
  push("");
  push("| | acks=0 | acks=1 | acks=all |");
  push("|---|---:|---:|---:|");
  push(
    `| produce latency p50 / p99 / p99.9, ms (no faults) | ${steadyRuns.map((r) => `${fmtMs(r.latency.p50Ns)} / ${fmtMs(r.latency.p99Ns)} / ${fmtMs(r.latency.p999Ns)}`).join(" | ")} |`,
  );
  push(`| throughput at ${fmtInt(STEADY_RATE)} msg/s offered: msg/s (MB/s) | ${steadyRuns.map((r) => `${fmtInt(r.throughputMessagesPerSec)} (${r.throughputMBPerSec.toFixed(1)})`).join(" | ")} |`);
  push(`| the most one producer gets through: msg/s (MB/s) | ${saturatedRuns.map((r, i) => `${i === 0 ? "≥ " : ""}${fmtInt(r.throughputMessagesPerSec)} (${r.throughputMBPerSec.toFixed(0)})`).join(" | ")} |`);
  push(
    `| **acknowledged messages lost**: followers 2 s behind (still in the ISR), then the leader is killed | ${lagRuns.map((r) => `**${lostOf(r)}**`).join(" | ")} |`,
  );
  push(`| lost: leader killed at ${SWEEP_COUNT} instants spread over its 3 ms batch cycle, total (runs that lost any) | ${sweep.map((t) => `${fmtInt(t.lost + t.unseen)} (${t.runsWithLoss} of ${t.runs})`).join(" | ")} |`);
  push(
    `| lost: leader killed at ${SCAN_SEALS_NS.length * SCAN_COUNT} instants ${SCAN_FIRST_OFFSET_NS / US}–${scanLast / US} µs after two of its batches were sealed, total (runs) | ` +
      `${scan.map((t) => `${fmtInt(t.lost + t.unseen)} (${t.runsWithLoss} of ${t.runs})`).join(" | ")} |`,
  );
  push(`| lost: the leader's machine loses power | ${powerRuns.map(lostOf).join(" | ")} |`);
  push(`| partitions (of ${PARTITIONS}) that acknowledged nothing for > ${STALL_NS / SECOND} s when one broker died | ${ACKS.map((_, i) => String(stalled(i))).join(" | ")} |`);
  push(`| longest stretch one partition acknowledged nothing, kill -9 or power loss, s | ${ACKS.map((_, i) => fmtSec(longestGap(i))).join(" | ")} |`);
  push("");
  push("**What the numbers show.**");
  push("");
  push(
    `- **C9: acks trade latency for safety.** acks=1 waits for the leader's answer, one network round trip (p50 ${fmtMs(steady1.latency.p50Ns)} ms). ` +
      `acks=all also waits until every in-sync follower has fetched the batch and the leader has seen it do so: about one more round trip (p50 ${fmtMs(steadyAll.latency.p50Ns)} ms). ` +
      `acks=0 waits for nothing: the producer counts a batch as sent once it is written to the socket, which the simulator does at once (p50 ${fmtMs(steady0.latency.p50Ns)} ms). ` +
      "At a modest load all three carry what is offered. A producer pushing as hard as it can may have 5 requests in flight per broker; each takes longer to come back " +
      `with acks=all, so it gets ${(saturatedRuns[1]!.throughputMBPerSec / saturatedRuns[2]!.throughputMBPerSec).toFixed(1)}× less through than with acks=1 ` +
      "(Kreps' 2014 benchmark measured 786,980 vs 421,823 records/s, 1.9×, on 1 GbE machines with real CPUs: the same shape, not the same numbers).",
  );
  push(
    `- **C10: acks=1 loses what the leader acknowledged but the followers had not fetched.** b1's replication to its followers stalls for 2 s, well inside ` +
      `replica.lag.time.max.ms = ${broker["replica.lag.time.max.ms"] / 1000} s, so they stay in the ISR; then b1 is killed. The controller elects a follower from the ISR — a clean ` +
      `election, no unclean setting involved — and with acks=1 the ${lostOf(lag1)} messages b1 acknowledged during the stall are gone` +
      (lag1.lostAckedBetweenNs === null ? "" : ` (acknowledged between ${fmtSec(lag1.lostAckedBetweenNs[0])} s and ${fmtSec(lag1.lostAckedBetweenNs[1])} s)`) +
      ". b1 still had them: a kill -9 keeps the page cache. It deleted them itself when it came back as a follower and truncated its log to the new leader's " +
      `(kafka.truncate: ${lag1.marks["kafka.truncate"]}, one per partition it had led). acks=all lost ${lostOf(lagAll)}: those requests were never acknowledged and were retried on the new leader ` +
      `(worst produce latency ${fmtSec(lagAll.latency.maxNs)} s). acks=0 lost the same ${lostOf(lag0)} as acks=1.`,
  );
  const allFailureRuns = runs.filter((r) => r.acks === "all" && r.scenario !== "steady" && r.scenario !== "saturated");
  const allFailureLost = allFailureRuns.reduce((sum, r) => sum + r.lost + r.unseen, 0);
  const scanSentences = SCAN_SEALS_NS.map((sealNs, s) => {
    const offsets = scanLossOffsets(1, s);
    return offsets.length === 0
      ? `b1's batch sealed at ${(sealNs / SECOND).toFixed(3)} s was lost at no scanned instant: its copy reached b2 no later than its acknowledgement reached the producer, to within the ${SCAN_STEP_NS / US} µs step`
      : `b1's batch sealed at ${(sealNs / SECOND).toFixed(3)} s was lost when the crash fell ${offsetRanges(offsets)} after the seal: its acknowledgement had arrived, its copy had not`;
  });
  push(
    `- With followers that keep up, acks=1's window is narrow. At ${fmtInt(STEADY_RATE)} msg/s the followers are about one network hop behind, so acks=1 loses a batch only if the ` +
      "leader dies after its acknowledgement reached the producer but before its copy reached the follower that becomes leader. " +
      `Killing b1 at ${SWEEP_COUNT} evenly spread instants lost acknowledged messages in ${sweep[1]!.runsWithLoss} of them with acks=1 (${lostOf(sweep[1]!)} messages). ` +
      `A ${SCAN_STEP_NS / US} µs scan across two batches' flights shows the window itself: ${scanSentences.join("; ")}. ` +
      `acks=0 loses any batch that has not reached the new leader (${sweep[0]!.runsWithLoss} of ${SWEEP_COUNT} evenly spread instants). ` +
      `acks=all lost ${fmtInt(allFailureLost)} messages over all ${allFailureRuns.length} of its failure runs.`,
  );
  push(
    `- **acks=all pays in availability.** When one broker dies, acks=0 and acks=1 stall only the ${stalled(1)} partitions it led, until the controller fences it after ` +
      `broker.session.timeout.ms = ${sessionSec} s without heartbeats and elects new leaders. With acks=all, all ${stalled(2)} partitions stall for those ${sessionSec} s. ` +
      "The dead broker is still in the ISR of the partitions it followed, so their high watermarks cannot advance until the controller removes it. " +
      `Then two in-sync replicas remain (≥ min.insync.replicas = ${broker["min.insync.replicas"]}) and writes resume. ` +
      `With retries and delivery.timeout.ms = ${p0["delivery.timeout.ms"] / 1000} s nothing fails outright: the producer waits.`,
  );
  push("");
  push(
    `Regenerate with \`npm run bench:kafka-acks\` (writes reports/kafka-acks.md and reports/kafka-acks.json; ${SCENARIO_RUNS} simulation runs, 30–40 s of wall time on two cores; it prints the time it took).`,
  );
  push("");

  push("## Setup (the same in every run)");
  push("");
  push(
    `- **Cluster**: ${BROKERS} brokers (b1, b2, b3) and a controller node; topic \`${TOPIC}\` with ${PARTITIONS} partitions, replication factor ${REPLICATION_FACTOR}. ` +
      "Preferred leaders rotate, so b1 leads partitions 0 and 3 and follows the other four.",
  );
  push(
    `- **Broker settings**: min.insync.replicas=${broker["min.insync.replicas"]}, unclean.leader.election.enable=${broker["unclean.leader.election.enable"]}, ` +
      `replica.lag.time.max.ms=${broker["replica.lag.time.max.ms"]}, replica.fetch.wait.max.ms=${broker["replica.fetch.wait.max.ms"]}, ` +
      `broker.session.timeout.ms=${broker["broker.session.timeout.ms"]}, broker.heartbeat.interval.ms=${broker["broker.heartbeat.interval.ms"]}; ` +
      "no fsync (log.flush.* unset, Kafka's default); truncation by leader epoch (KIP-101/279); a restarted broker is fenced when it re-registers (KIP-841).",
  );
  push(
    `- **Machines**: ${DISK} disks; 10 GbE NICs (${fmtInt(DEFAULT_NETWORK_OPTIONS.nic.egressBytesPerSec / 1e6)} MB/s each way); one-way latency lognormal with a median of 150 µs (σ 0.2); ` +
      "Ethernet framing. A connection whose peer went silent (power loss) is reported broken after 3 s. " +
      "The broker model has no CPU cost: it appends and answers the moment a request arrives.",
  );
  push(
    `- **Producer**: one client with Kafka's default settings except acks: linger.ms=${p0["linger.ms"]}, batch.size=${p0["batch.size"]}, ` +
      `max.in.flight.requests.per.connection=${p0["max.in.flight.requests.per.connection"]}, retries=${p0.retries}, retry.backoff.ms=${p0["retry.backoff.ms"]}, ` +
      `request.timeout.ms=${p0["request.timeout.ms"]}, delivery.timeout.ms=${p0["delivery.timeout.ms"]}. enable.idempotence is left at its default, which resolves to ` +
      `${ACKS.map((acks, i) => `${producer[i]!.idempotent} for acks=${acks}`).join(", ")}. Since Kafka 3.2, an acks setting that conflicts with idempotence turns the default off silently.`,
  );
  push(
    `- **Workload**: ${MESSAGE_BYTES}-byte messages, as in Kreps' 2014 benchmark. *Steady*: ${fmtInt(STEADY_RATE)} msg/s (${((STEADY_RATE * MESSAGE_BYTES) / 1e6).toFixed(1)} MB/s), ` +
      `handed to the producer ${STEADY_PER_SEND} at a time every ${(STEADY_PER_SEND / STEADY_RATE) * 1000} ms, to each partition in turn. Each partition gets ${STEADY_PER_SEND} messages every ` +
      `${((STEADY_PER_SEND / STEADY_RATE) * 1000 * PARTITIONS).toFixed(0)} ms, so every batch is one hand-off of ${STEADY_PER_SEND} messages that waited out linger.ms, and b1 gets a batch every 3 ms. ` +
      `*Saturated*: ${fmtInt(SATURATED_RATE)} msg/s offered (more than acks=1 or acks=all can carry), so batches fill to batch.size.`,
  );
  push(
    `- **Latency** is measured per batch, from its \`send\` event to its \`send-result\` event in the History, over acknowledged batches sealed after the first ${WARMUP_NS / SECOND} s ` +
      "(the metadata fetch and the first leader elections happen before that). The producer records `send` when a batch is *sealed*: when it is full, or linger.ms after its first message. " +
      `Time spent lingering (here exactly linger.ms = ${p0["linger.ms"]} ms for every message) is therefore not included; add it to all three columns to get what the application sees. ` +
      "For acks=0, producer.ts records the result `ok`, with offset -1, the moment the batch is written to the socket, as Kafka's acks=0 callback fires once the request is sent. " +
      "The simulated socket accepts the write at once, so acks=0 latency is 0 whenever a connection is open. " +
      "Percentiles come from an HDR histogram (hdr-histogram-js, 3 significant digits).",
  );
  push(
    "- **Throughput** is acknowledged messages (send-result `ok`) per second of virtual time, over a window after the warm-up; MB/s counts message payload in units of 10^6 bytes. " +
      "The steady workload is open-loop, so any setting that keeps up shows exactly the offered rate.",
  );
  push(
    "- **Loss** is the `lost` check in runKafka's result. After the fault phase everything heals and the cluster converges; then every partition's committed log is read in full. " +
      "An acknowledged message missing from that read is lost. " +
      (totalUnseen === 0
        ? "The tables add the check's `unseen` count (missing, with nothing after it read either), which was 0 in every run. "
        : `The tables add the check's \`unseen\` count (missing, with nothing after it read either): ${fmtInt(totalUnseen)} over all runs. `) +
      "acks=0 messages have no offset, so a missing one counts as lost outright.",
  );
  push("");

  push("## 1. No faults: latency and throughput (C9)");
  push("");
  push("| acks | batches measured | p50 ms | p99 ms | p99.9 ms | max ms | acknowledged msg/s | MB/s | saturated: msg/s | saturated: MB/s |");
  push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  steadyRuns.forEach((r, i) => {
    const s = saturatedRuns[i]!;
    push(
      `| ${acksName(r.acks)} | ${fmtInt(r.latency.batches)} | ${fmtMs(r.latency.p50Ns)} | ${fmtMs(r.latency.p99Ns)} | ${fmtMs(r.latency.p999Ns)} | ${fmtMs(r.latency.maxNs)} | ` +
        `${fmtInt(r.throughputMessagesPerSec)} | ${r.throughputMBPerSec.toFixed(2)} | ${i === 0 ? "≥ " : ""}${fmtInt(s.throughputMessagesPerSec)} | ${s.throughputMBPerSec.toFixed(1)} |`,
    );
  });
  push("");
  push(
    `Steady runs: ${steady0.faultPhaseNs / SECOND} s of virtual time; throughput over [${WARMUP_NS / SECOND} s, ${steady0.faultPhaseNs / SECOND} s). ` +
      `Saturated runs: ${saturatedRuns[0]!.faultPhaseNs / SECOND} s; throughput over [${saturated().throughputFromNs / SECOND} s, ${saturated().throughputToNs / SECOND} s), while the producer's backlog grows. ` +
      "Their latencies measure that backlog rather than the cluster, so they are left out. " +
      "acks=1 and acks=all are limited by the producer's window: 5 one-batch requests in flight per broker connection, each waiting for its answer. " +
      `acks=0 simply keeps up with the ${fmtInt((SATURATED_RATE * MESSAGE_BYTES) / 1e6)} MB/s offered. The simulated socket has no send buffer, so an acks=0 producer never blocks, ` +
      "and its figure is a floor, not a ceiling. A real producer would block once send.buffer.bytes fills, and the NIC (about 1,177 MB/s of TCP payload) bounds it in any case.",
  );
  push("");

  push("## 2. A leader dies: what each setting loses (C10)");
  push("");
  push(
    "| failure | acks | acknowledged | lost acknowledged | runs that lost any | partitions stalled > 1 s | longest partition gap without an ack, s | worst produce latency, s | failed attempts | send-results error / unknown |",
  );
  push("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  const totalsRow = (label: string, totals: readonly SweepTotals[]): void => {
    ACKS.forEach((acks, i) => {
      const t = totals[i]!;
      push(
        `| ${label} | ${acksName(acks)} | ${fmtInt(t.acked)} | ${fmtInt(t.lost + t.unseen)} | ${t.runsWithLoss} of ${t.runs} | ${t.partitionsStalledMax} | ${fmtSec(t.longestAckGapNs)} | ` +
          `${fmtSec(t.maxLatencyNs)} | ${fmtInt(t.failedAttempts)} | ${fmtInt(t.errorMessages)} / ${fmtInt(t.unknownMessages)} |`,
      );
    });
  };
  const singleRows = (label: string, rows: readonly RunReport[]): void => {
    for (const r of rows) {
      push(
        `| ${label} | ${acksName(r.acks)} | ${fmtInt(r.acked)} | ${lostOf(r)} | ${r.lost + r.unseen > 0 ? 1 : 0} of 1 | ${r.partitionsStalled} | ${fmtSec(r.longestAckGapNs)} | ` +
          `${fmtSec(r.latency.maxNs)} | ${fmtInt(r.failedAttempts)} | ${fmtInt(r.errorMessages)} / ${fmtInt(r.unknownMessages)} |`,
      );
    }
  };
  singleRows("b1's followers 2 s behind, then kill -9 of b1", lagRuns);
  totalsRow(`kill -9 of b1 at ${SWEEP_COUNT} instants (sums)`, sweep);
  totalsRow(`kill -9 of b1, ${SCAN_SEALS_NS.length * SCAN_COUNT}-instant scan (sums)`, scan);
  singleRows("power loss of b1", powerRuns);
  push("");
  push(
    "Columns: *acknowledged* messages had send-result `ok`. *Partitions stalled* and *longest gap* measure, for each partition, the longest time between two acknowledgements " +
      "while messages were being offered (≈ 6 ms in normal running); for sums it is the maximum over the runs. *Failed attempts* are the producer's `op-failed` events: requests lost with a " +
      "connection and failed connection attempts while batches waited. *error / unknown* count messages in batches that ended without an acknowledgement" +
      (runs.every((r) => r.errorMessages + r.unknownMessages === 0) ? ": there were none, every failed attempt was retried until it succeeded." : "."),
  );
  push("");
  push(`Fault schedules (seed ${SEED} throughout; after the fault phase every fault is healed and b1 is up):`);
  push("");
  push(
    `- followers behind: \`${describeFaults(laggingFollowers().faults)}\`, fault phase ${laggingFollowers().faultPhaseNs / SECOND} s. ` +
      "The one-way cut drops b1's fetch responses to its followers, standing in for a stalled replication link or a slow follower. The producer's traffic to b1 is not cut.",
  );
  push(
    `- kill -9: \`${describeFaults(kill9(0).faults)}\`, fault phase ${kill9(0).faultPhaseNs / SECOND} s. In the ${SWEEP_COUNT}-instant runs the crash moves on by ${SWEEP_STEP_NS / US} µs each time, ` +
      `covering the 3 ms in which b1 receives one batch. In the scan it falls ${SCAN_FIRST_OFFSET_NS / US}, ${(SCAN_FIRST_OFFSET_NS + SCAN_STEP_NS) / US}, …, ${scanLast / US} µs after the producer sealed ` +
      `b1's batch at ${SCAN_SEALS_NS.map((ns) => `${(ns / SECOND).toFixed(3)} s`).join(" and at ")}. b1 restarts after the controller has moved its leaderships.`,
  );
  push(`- power loss: \`${describeFaults(powerLoss().faults)}\`, fault phase ${powerLoss().faultPhaseNs / SECOND} s.`);
  push("");
  push(
    "**Why kill -9 (`processCrash`) is the failure that makes the C10 point.** A killed process keeps the machine's page cache, so b1's own log still holds every batch it " +
      "acknowledged. Whatever is lost is lost through replication alone: the new leader never had those batches, and b1 deletes them itself when it rejoins as a follower and " +
      "truncates to the new leader's log. A power loss also wipes b1's unflushed page cache, but b1 is truncated anyway, so acks=1 and acks=all lose the same as under kill -9 " +
      `(power loss here: acks=1 ${lostOf(power1)}, acks=all ${lostOf(powerAll)}). It would matter if the surviving replicas lost power too. That is KIP-966's case, in run.test.ts.`,
  );
  push("");
  push(`Kill -9 at ${SWEEP_COUNT} evenly spread instants, acknowledged messages lost:`);
  push("");
  push(`| kill -9 at | ${ACKS.map(acksName).join(" | ")} |`);
  push(`|---|${ACKS.map(() => "---:").join("|")}|`);
  for (let v = 0; v < SWEEP_COUNT; v++) {
    const cells = ACKS.map((acks) => lostOf(byAcks(runs, "kill9", acks).find((r) => r.variant === v)!));
    push(`| ${((SWEEP_FIRST_NS + v * SWEEP_STEP_NS) / SECOND).toFixed(6)} s | ${cells.join(" | ")} |`);
  }
  push("");
  push(`Kill -9 scan: crash instants, counted from the batch's seal, at which that batch was lost (${SCAN_FIRST_OFFSET_NS / US}–${scanLast / US} µs scanned, every ${SCAN_STEP_NS / US} µs):`);
  push("");
  push(`| b1's batch sealed at | ${ACKS.map(acksName).join(" | ")} |`);
  push(`|---|${ACKS.map(() => "---").join("|")}|`);
  SCAN_SEALS_NS.forEach((sealNs, s) => {
    push(`| ${(sealNs / SECOND).toFixed(3)} s | ${ACKS.map((acks) => offsetRanges(scanLossOffsets(acks, s))).join(" | ")} |`);
  });
  push("");
  push("Notes on these runs:");
  push("");
  push(
    "- **acks=1 under a plain kill -9.** The leader answers an acks=1 produce the moment it appends, and in the same moment it answers the followers' waiting fetches " +
      "(partition-replica.ts, `onProduce`). The acknowledgement to the producer and the copy to the followers then cross different links, about 150 µs each. " +
      "A kill -9 drops everything still on the wire from the crashed broker. acks=1 therefore loses a batch only in the gap between the two arrivals, when the acknowledgement is first. " +
      "That gap is at most a few tens of microseconds in every 3 ms at this load. Real followers fall further behind than this model's (fetch processing, disk, GC pauses, load), which widens the window. " +
      "The followers-behind row is that general case.",
  );
  push(
    `- **acks=0 under power loss** lost ${lostOf(power0)} messages, what was on the wire at that instant. The simulated socket reports itself closed on the producer's side the moment the peer ` +
      "loses power (world/connection.ts `Endpoint.isOpen` reads the connection's state, which world/network.ts sets to closed at once), although the producer is only *told* 3 s later. " +
      "So the acks=0 producer stops writing at once. A real one would keep writing into its socket buffer (send.buffer.bytes, 128 KiB by default) until that filled or a timeout fired, " +
      "and would lose that much more.",
  );
  const checkLongest = (acks: Acks): number =>
    Math.max(0, ...runs.filter((r) => r.acks === acks && ["kill9", "kill9-scan", "power-loss", "lagging-followers"].includes(r.scenario)).map((r) => r.unavailabilityCheck["sendLongestNs"] ?? 0));
  push(
    "- **Unavailability.** runKafka's `unavailability` check works per client: a window opens at a failed attempt and closes at the next success on *any* partition. " +
      "This producer keeps succeeding on the partitions b1 did not lead, so for these failures the check's longest window is " +
      `${fmtMs(checkLongest(0))} ms with acks=0 and ${fmtMs(checkLongest(1))} ms with acks=1, while b1's partitions went ${fmtSec(longestGap(1))} s without an acknowledgement. ` +
      `With acks=all every partition stalls, and its longest window is ${fmtSec(checkLongest("all"))} s. ` +
      "The per-partition gap, measured from the History, is the number to use.",
  );
  push("");

  push("## 3. acks=0 after a fast restart");
  push("");
  push(
    `Kill b1, then restart it 5 s later, before its ${sessionSec} s session has expired (\`${describeFaults(fastRestart().faults)}\`, fault phase ${fastRestart().faultPhaseNs / SECOND} s, seed ${SEED}):`,
  );
  push("");
  push("| acks | acknowledged | lost acknowledged | the lost ones were acknowledged between, s | longest partition gap without an ack, s |");
  push("|---|---:|---:|---|---:|");
  for (const r of fastRuns) {
    const between = r.lostAckedBetweenNs === null ? "—" : `${fmtSec(r.lostAckedBetweenNs[0])} and ${fmtSec(r.lostAckedBetweenNs[1])}`;
    push(`| ${acksName(r.acks)} | ${fmtInt(r.acked)} | ${lostOf(r)} | ${between} | ${fmtSec(r.longestAckGapNs)} |`);
  }
  push("");
  push(
    `acks=0 loses ${lostOf(fast0)} messages, everything it had queued for b1's partitions while b1 was down. The producer's metadata still names b1 as leader ` +
      "(the controller has not yet fenced it), so batches wait in the accumulator. When b1 restarts the connection opens, and the whole backlog is written at once and counted as sent. " +
      "b1, just restarted, leads nothing (the controller fences its old incarnation when it re-registers) and refuses each request with NOT_LEADER_OR_FOLLOWER. " +
      "An acks=0 producer reads no answers, so the broker closes the connection instead, as Kafka's KafkaApis.handleProduceRequest does " +
      "(\"the server will close socket server so that the producer client will know that some error has happened and will refresh its metadata\"); " +
      "the producer then refreshes its metadata and moves to the new leader. " +
      (fast0.lostAckedBetweenNs === null ? "" : `The last lost batch was counted as sent at ${fmtSec(fast0.lostAckedBetweenNs[1])} s. `) +
      "The close comes one round trip too late for the backlog: the model's socket has no send buffer, so the whole backlog is written, and counted as sent, at once. " +
      "A real producer would block once send.buffer.bytes filled and lose less; acks=0 loses whatever was written before the close either way. " +
      "acks=1 and acks=all are unaffected: they read the error, refresh metadata and retry. " +
      "A plain restart after the session timeout, as in section 2, does not trigger it, because by then the producer's metadata names the new leader.",
  );
  push("");
  push("Reproducing spec (save as repro.ts in the repository root and run `npx tsx repro.ts`; it prints the lost check's counts):");
  push("");
  push("```ts");
  push('import { runKafka } from "./src/systems/kafka/run.js";');
  push(`const result = runKafka(${JSON.stringify(runSpec(fastRestart(), 0))});`);
  push('console.log(result.checks.find((check) => check.check === "lost")!.counts);');
  push("```");
  push("");
  push("## Limits of these numbers");
  push("");
  push(
    "- The model has no broker or client CPU, so latencies are network round trips, and the saturated throughputs are far above what 2014's 1 GbE, 6-disk machines gave. " +
      "Compare the settings with each other, not with a real cluster.",
  );
  push(
    "- On a kill -9 the model drops packets already on the wire from the crashed process. A real kernel would still deliver segments it had already transmitted. " +
      "The model treats the acknowledgement and the follower's copy the same way, so the window's existence holds. Its exact width in microseconds is the model's.",
  );
  push("- One producer, one topic, one seed. Whether a kill -9 catches a batch depends on where it falls in the producer's cycle, hence the sweep and the scan.");
  push("- Raw numbers for every run (digest, event count, per-partition gaps, the unavailability check's counts, marks such as kafka.truncate and kafka.leader.failover): reports/kafka-acks.json.");
  push("");
  return lines.join("\n");
}

// ---------------------------------------------------------------- main

function main(): void {
  const startedMs = Date.now();
  const scenarios: Scenario[] = [
    steady(),
    saturated(),
    ...Array.from({ length: SWEEP_COUNT }, (_, v) => kill9(v)),
    ...Array.from({ length: SCAN_SEALS_NS.length * SCAN_COUNT }, (_, v) => kill9Scan(v)),
    powerLoss(),
    laggingFollowers(),
    fastRestart(),
  ];
  const runs: RunReport[] = [];
  for (const scenario of scenarios) {
    for (const acks of ACKS) {
      const runStartedMs = Date.now();
      const run = measure(scenario, acks);
      runs.push(run);
      process.stdout.write(
        `${scenario.id}${scenario.id.startsWith("kill9") ? `#${scenario.variant}` : ""} acks=${acks}: acked ${run.acked}, lost ${run.lost + run.unseen}, ` +
          `p50 ${fmtMs(run.latency.p50Ns)} ms, ${fmtInt(run.throughputMessagesPerSec)} msg/s, converged ${run.converged} (${((Date.now() - runStartedMs) / 1000).toFixed(1)} s)\n`,
      );
      if (!run.converged) throw new Error(`${scenario.id} acks=${acks}: the cluster did not converge`);
    }
  }
  const reportsDir = fileURLToPath(new URL("../reports/", import.meta.url));
  mkdirSync(reportsDir, { recursive: true });
  const source = sourceVersion();
  const json = { seed: SEED, generatedBy: "npm run bench:kafka-acks", source, runs };
  writeFileSync(`${reportsDir}kafka-acks.json`, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(`${reportsDir}kafka-acks.md`, renderMarkdown(runs, source));
  process.stdout.write(`wrote reports/kafka-acks.md and reports/kafka-acks.json in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
}

main();
