/**
 * How fast the RocketMQ model simulates (`npm run bench:rocketmq`):
 *
 * (a) throughput: two broker groups (ASYNC_MASTER + a slave each, and
 *     SYNC_MASTER + SYNC_FLUSH with inSyncReplicas 2), one topic of 8
 *     queues, producers offering 1 KiB messages, one consumer group,
 *     20 s of virtual time: simulated seconds per wall second, events and
 *     events per second, acknowledged messages (what each design carried;
 *     the model's CPU costs are fitted to one published figure only);
 * (b) small fault-injected runs as the safe property makes them: the
 *     safe configuration, 40 msg/s, up to 6 faults with power loss, every
 *     checker: runs per second;
 * (c) the anomaly rows (Q1–Q4) found and shrunk by fast-check (search seed 20261122).
 *
 * Wall time is read here only. Writes bench-rocketmq.md and .json into the
 * output folder (bench-output.ts: by default reports/).
 * Flags: --quick (shorter runs, for a smoke test), --out <dir> (the output
 * folder; or MQSIM_REPORTS_DIR).
 */
import os from "node:os";
import fc from "fast-check";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { faultScheduleArbitrary } from "../src/faults/arbitrary.js";
import { anomalyCounterexample } from "../src/run/anomaly.js";
import { runRocketMq, type RocketRunSpec } from "../src/systems/index.js";
import { ROCKET_ANOMALIES } from "../src/systems/rocketmq/anomalies.js";
import type { RocketBrokerConfig } from "../src/systems/rocketmq/config.js";

const SECOND = 1_000_000_000;
const quick = process.argv.includes("--quick");
const THROUGHPUT_SECONDS = quick ? 5 : 20;
const FAULT_RUNS = quick ? 20 : 200;
const SEARCH_SEED = 20261122;

interface Design {
  label: string;
  broker: Partial<RocketBrokerConfig>;
  /** 1 (a slave per group) unless given: DLedger groups have three members. */
  slavesPerGroup?: number;
}

const DESIGNS: Design[] = [
  { label: "ASYNC_MASTER + ASYNC_FLUSH, a slave per group (5.3)", broker: { brokerRole: "ASYNC_MASTER", flushDiskType: "ASYNC_FLUSH" } },
  { label: "SYNC_MASTER (inSyncReplicas 2) + SYNC_FLUSH, a slave per group (5.3)", broker: { brokerRole: "SYNC_MASTER", flushDiskType: "SYNC_FLUSH", inSyncReplicas: 2 } },
  { label: "DLedger, three members per group (4.9)", broker: { version: "4.9", enableDLegerCommitLog: true }, slavesPerGroup: 2 },
];

/** The safe configurations the fault runs exercise, as the safe property builds them. */
const SAFE_DESIGNS: Design[] = [
  { label: "4.9 SYNC_MASTER + SYNC_FLUSH, a slave per group", broker: { version: "4.9", brokerRole: "SYNC_MASTER", flushDiskType: "SYNC_FLUSH" } },
  { label: "4.9 DLedger, three members per group", broker: { version: "4.9", enableDLegerCommitLog: true }, slavesPerGroup: 2 },
];

function throughputSpec(design: Design, seconds: number): RocketRunSpec {
  return {
    seed: SEARCH_SEED,
    cluster: { nameServers: 1, brokerGroups: 2, slavesPerGroup: design.slavesPerGroup ?? 1, broker: design.broker, topics: [{ name: "t", queueNums: 4 }], disk: "nvme" },
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 20_000, messagesPerSend: 1, bodyBytes: 1_024, senderThreads: 64, startNs: 2 * SECOND }],
    consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 0 }],
    faults: [],
    faultPhaseNs: seconds * SECOND,
    convergeNsMax: 60 * SECOND,
    deferChecks: true,
  };
}

interface Throughput {
  design: string;
  virtualSeconds: number;
  wallSeconds: number;
  realTimeFactor: number;
  events: number;
  eventsPerSecond: number;
  acknowledged: number;
}

function measureThroughput(design: Design): Throughput {
  runRocketMq(throughputSpec(design, 3)); // warm-up
  const started = performance.now();
  const result = runRocketMq(throughputSpec(design, THROUGHPUT_SECONDS));
  const wallSeconds = (performance.now() - started) / 1000;
  const virtualSeconds = result.timeNs / SECOND;
  let acknowledged = 0;
  for (const e of result.history.events) if (e.type === "send-result" && e.outcome === "ok") acknowledged += e.count;
  return { design: design.label, virtualSeconds, wallSeconds, realTimeFactor: virtualSeconds / wallSeconds, events: result.events, eventsPerSecond: result.events / wallSeconds, acknowledged };
}

interface FaultRuns {
  design: string;
  runs: number;
  wallSeconds: number;
  runsPerSecond: number;
  /** Runs whose lost check failed, and runs whose unexpected check failed. */
  lost: number;
  unexpected: number;
}

function measureFaultRuns(design: Design): FaultRuns {
  const slaves = design.slavesPerGroup ?? 1;
  const brokers = ["a", "b"].flatMap((group) => Array.from({ length: slaves + 1 }, (_, k) => `${group}${k}`));
  const schedules = fc.sample(faultScheduleArbitrary({ nodeNames: brokers, horizonNs: 10 * SECOND, faultsMax: 6, verbs: ["powerLoss", "processCrash", "restart", "pause", "partition", "heal"] }), { seed: 424242, numRuns: FAULT_RUNS });
  const spec = (faults: RocketRunSpec["faults"], seed: number): RocketRunSpec => ({
    seed,
    cluster: { nameServers: 1, brokerGroups: 2, slavesPerGroup: slaves, broker: design.broker, topics: [{ name: "t", queueNums: 2 }], disk: "nvme" },
    producers: [{ name: "p1", topic: "t", messagesPerSecond: 40, messagesPerSend: 1, bodyBytes: 512 }],
    consumers: [{ name: "c1", group: "g", topic: "t", processNsPerMessage: 2_000_000 }],
    idempotentGroups: ["g"],
    faults,
    faultPhaseNs: 10 * SECOND,
    convergeNsMax: 90 * SECOND,
  });
  let lost = 0;
  let unexpected = 0;
  const started = performance.now();
  schedules.forEach((faults, i) => {
    const result = runRocketMq(spec(faults, i));
    if (result.checks.some((c) => c.check === "lost" && !c.ok)) lost++;
    if (result.checks.some((c) => c.check === "unexpected" && !c.ok)) unexpected++;
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return { design: design.label, runs: schedules.length, wallSeconds, runsPerSecond: schedules.length / wallSeconds, lost, unexpected };
}

/** `onSearched` is told each anomaly's id after its search (it moves the progress bar). */
function measureSearches(onSearched: (id: string) => void): { id: string; seconds: number; runsToFind: number; shrinks: number; faults: number }[] {
  return ROCKET_ANOMALIES.map((anomaly) => {
    const started = performance.now();
    const found = anomalyCounterexample(anomaly, SEARCH_SEED);
    const seconds = (performance.now() - started) / 1000;
    if (found === null) throw new Error(`${anomaly.id}: no counterexample under search seed ${SEARCH_SEED}`);
    onSearched(anomaly.id);
    return { id: anomaly.id, seconds, runsToFind: found.runsToFind, shrinks: found.shrinks, faults: found.faults.length };
  });
}

// Read the flags first: a bad --out fails before the runs.
const output = new BenchOutput();
// Units of work for the progress bar: each throughput design, each safe design's fault runs, each search.
const UNITS_TOTAL = DESIGNS.length + SAFE_DESIGNS.length + ROCKET_ANOMALIES.length;
let unitsDone = 0;
const progress = benchProgress("bench:rocketmq");
const unitDone = (status: string): void => progress.update(++unitsDone / UNITS_TOTAL, status);
const throughput = DESIGNS.map((design) => {
  const measured = measureThroughput(design);
  unitDone(`throughput, ${design.label}`);
  return measured;
});
const faultRuns = SAFE_DESIGNS.map((design) => {
  const measured = measureFaultRuns(design);
  unitDone(`fault runs, ${design.label}`);
  return measured;
});
const searches = measureSearches((id) => unitDone(`find and shrink ${id}`));
progress.stop();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
const md = [
  "# RocketMQ model speed",
  "",
  `- generated by: npm run bench:rocketmq (bench/rocketmq-models.ts)${quick ? " --quick" : ""}`,
  `- machine: ${machine}`,
  "",
  `## (a) Throughput runs (2 broker groups with a slave each, 8 queues, 1 KiB messages offered at 20,000 msg/s by 64 sender threads from 2 s, ${THROUGHPUT_SECONDS} s of virtual time, one consumer)`,
  "",
  "The acknowledged column is what the model's mechanisms carried; its CPU costs are fitted to one published figure (src/systems/rocketmq/cpu-costs.ts), so it is the model's number, not a calibrated one.",
  "",
  "| design | virtual s | wall s | × real time | events | events/s | acknowledged |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...throughput.map((t) => `| ${t.design} | ${t.virtualSeconds.toFixed(1)} | ${t.wallSeconds.toFixed(2)} | ${t.realTimeFactor.toFixed(1)} | ${t.events} | ${Math.round(t.eventsPerSecond)} | ${t.acknowledged} |`),
  "",
  "## (b) Small fault-injected runs (the safe configurations, 2 groups, 40 msg/s, up to 6 faults with power loss, all checks)",
  "",
  "| design | runs | wall s | runs/s (one core) | runs that lost an acknowledged message | runs that delivered a refused one |",
  "|---|---:|---:|---:|---:|---:|",
  ...faultRuns.map((f) => `| ${f.design} | ${f.runs} | ${f.wallSeconds.toFixed(2)} | **${f.runsPerSecond.toFixed(1)}** | ${f.lost} | ${f.unexpected} |`),
  "",
  "DLedger's are its own: it counts an entry once a quorum has written it and flushes every 10 ms, so a power loss of a member of that quorum while the third lags takes acknowledged entries; and a put that waited 2.5 s for its quorum is answered SYSTEM_BUSY, a refusal to the producer, while the entry may still commit and be delivered (properties/rocketmq-safe.property.test.ts claims neither for DLedger).",
  "",
  `## (c) Find and shrink (fast-check, search seed ${SEARCH_SEED})`,
  "",
  "| anomaly | runs to find | shrinks | shrunk faults | seconds |",
  "|---|---:|---:|---:|---:|",
  ...searches.map((s) => `| ${s.id} | ${s.runsToFind} | ${s.shrinks} | ${s.faults} | ${s.seconds.toFixed(2)} |`),
  "",
].join("\n");
await output.write("", [
  { name: "bench-rocketmq.md", content: md },
  { name: "bench-rocketmq.json", content: JSON.stringify({ machine, quick, throughput, faultRuns, searches }, null, 2) + "\n" },
]);
process.stdout.write(md + "\n");
process.stdout.write(output.summary());
