/**
 * How fast the ActiveMQ Classic model simulates (`npm run bench:activemq`):
 *
 * (a) throughput: one broker on its own disk (KahaDB, journalDiskSyncStrategy
 *     ALWAYS, then PERIODIC), and shared file system master/slave on NFSv4
 *     (b1, b2 and the nfs server, ALWAYS); one queue, producers of
 *     persistent messages sending synchronously (1 KiB), one consumer,
 *     20 s of virtual time: simulated seconds per wall second, events and
 *     events per second, acknowledged messages (what each design carried;
 *     the model's costs are not calibrated against a published figure);
 * (b) small fault-injected runs as the safe property makes them
 *     (properties/activemq-safe.property.test.ts): NFSv4 master/slave,
 *     lease 10 s, 40 msg/s, CLIENT_ACKNOWLEDGE every 10 with an idempotent
 *     consumer, up to 5 crashes, power losses and restarts of the brokers,
 *     the NFS server and the clients, every checker: runs per second;
 * (c) anomaly A1 found and shrunk by fast-check (search seed 20261122).
 *
 * The model is reached through src/systems/index.ts only (its run and its
 * registry entry). Wall time is read here only. Writes bench-activemq.md
 * and .json into the output folder (bench-output.ts: by default reports/).
 * Flags: --quick (shorter runs, for a smoke test), --out <dir> (the output
 * folder; or MQSIM_REPORTS_DIR).
 */
import os from "node:os";
import fc from "fast-check";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { faultScheduleArbitrary } from "../src/faults/arbitrary.js";
import { anomalyCounterexample } from "../src/run/anomaly.js";
import { ACTIVEMQ_SAFE_FAULTS, activeMqSafeSpec as safeSpec } from "../src/systems/activemq/safe-config.js";
import { runActiveMq, systemNamed, type ActiveMqRunSpec } from "../src/systems/index.js";

const SECOND = 1_000_000_000;
const quick = process.argv.includes("--quick");
const THROUGHPUT_SECONDS = quick ? 5 : 20;
const FAULT_RUNS = quick ? 20 : 200;
const SEARCH_SEED = 20261122;
const PRODUCERS = 8;
const RATE_PER_PRODUCER = 5_000;
/** When the producers start sending (b2 of a pair boots a second after b1). */
const SENDING_FROM_NS = 2 * SECOND;

interface Design {
  label: string;
  /** The brokers and where they store (the run spec's cluster less its queues and disk). */
  brokers: Omit<ActiveMqRunSpec["cluster"], "queues" | "disk">;
}

const DESIGNS: Design[] = [
  { label: "one broker, local KahaDB, journalDiskSyncStrategy ALWAYS", brokers: { brokers: ["b1"], kahaDb: { journalDiskSyncStrategy: "ALWAYS" } } },
  { label: "one broker, local KahaDB, journalDiskSyncStrategy PERIODIC", brokers: { brokers: ["b1"], kahaDb: { journalDiskSyncStrategy: "PERIODIC" } } },
  {
    label: "shared-store master/slave (b1, b2) on NFSv4, ALWAYS",
    brokers: { brokers: ["b1", "b2"], sharedStore: { server: "nfs", lockRecovery: "lease", leaseNs: 30 * SECOND }, kahaDb: { journalDiskSyncStrategy: "ALWAYS" } },
  },
];

function throughputSpec(design: Design, seconds: number): ActiveMqRunSpec {
  return {
    seed: SEARCH_SEED,
    cluster: { ...design.brokers, queues: ["orders"], disk: "nvme" },
    // Persistent messages, sync sends (the defaults).
    producers: Array.from({ length: PRODUCERS }, (_, k) => ({ name: `p${k + 1}`, destination: "orders", messagesPerSecond: RATE_PER_PRODUCER, bodyBytes: 1_024, startNs: SENDING_FROM_NS })),
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 0 }],
    faults: [],
    faultPhaseNs: seconds * SECOND,
    // The run ends with the sending window: the backlog the producers queued behind their one send in flight is not
    // drained (at ALWAYS' rate that would take minutes of virtual time and measure nothing new).
    convergeNsMax: 0,
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
  /** Acknowledged per virtual second of the sending window. */
  acknowledgedPerSecond: number;
  /** Messages the consumer processed (deliveries, redeliveries included). */
  delivered: number;
}

function measureThroughput(design: Design): Throughput {
  runActiveMq(throughputSpec(design, 3)); // warm-up
  const started = performance.now();
  const result = runActiveMq(throughputSpec(design, THROUGHPUT_SECONDS));
  const wallSeconds = (performance.now() - started) / 1000;
  const virtualSeconds = result.timeNs / SECOND;
  let acknowledged = 0;
  let delivered = 0;
  for (const e of result.history.events) {
    if (e.type === "send-result" && e.outcome === "ok") acknowledged += e.count;
    if (e.type === "deliver" && e.client === "c1") delivered += e.count;
  }
  const acknowledgedPerSecond = acknowledged / ((result.timeNs - SENDING_FROM_NS) / SECOND);
  return { design: design.label, virtualSeconds, wallSeconds, realTimeFactor: virtualSeconds / wallSeconds, events: result.events, eventsPerSecond: result.events / wallSeconds, acknowledged, acknowledgedPerSecond, delivered };
}

interface FaultRuns {
  design: string;
  runs: number;
  wallSeconds: number;
  runsPerSecond: number;
  /** Runs whose lost check failed, and runs whose unexpected check failed. */
  lost: number;
  unexpected: number;
  /** Runs where another checker (lost-effects, duplicated-effects) failed, and runs that did not converge. */
  otherChecks: number;
  notConverged: number;
}

const SAFE_LABEL = "NFSv4 master/slave (lease 10 s), ALWAYS, sync sends, CLIENT_ACKNOWLEDGE every 10 + idempotent consumer";

function measureFaultRuns(): FaultRuns {
  const arbitrary = faultScheduleArbitrary(ACTIVEMQ_SAFE_FAULTS);
  const schedules = fc.sample(arbitrary, { seed: 424242, numRuns: FAULT_RUNS });
  let lost = 0;
  let unexpected = 0;
  let otherChecks = 0;
  let notConverged = 0;
  const started = performance.now();
  schedules.forEach((faults, i) => {
    const result = runActiveMq(safeSpec(i, faults));
    if (result.checks.some((c) => c.check === "lost" && !c.ok)) lost++;
    if (result.checks.some((c) => c.check === "unexpected" && !c.ok)) unexpected++;
    if (result.checks.some((c) => c.check !== "lost" && c.check !== "unexpected" && !c.ok)) otherChecks++;
    if (result.liveness.reasons.length > 0) notConverged++;
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return { design: SAFE_LABEL, runs: schedules.length, wallSeconds, runsPerSecond: schedules.length / wallSeconds, lost, unexpected, otherChecks, notConverged };
}

/** `onSearched` is told each anomaly's id after its search (it moves the progress bar). */
function measureSearches(onSearched: (id: string) => void): { id: string; seconds: number; runsToFind: number; shrinks: number; faults: number }[] {
  return systemNamed("activemq").anomalies.map((anomaly) => {
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
// Units of work for the progress bar: each throughput design, the fault runs, each search.
const UNITS_TOTAL = DESIGNS.length + 1 + systemNamed("activemq").anomalies.length;
let unitsDone = 0;
const progress = benchProgress("bench:activemq");
const unitDone = (status: string): void => progress.update(++unitsDone / UNITS_TOTAL, status);
const throughput = DESIGNS.map((design) => {
  const measured = measureThroughput(design);
  unitDone(`throughput, ${design.label}`);
  return measured;
});
const faultRuns = [measureFaultRuns()];
unitDone(`${faultRuns[0]!.runs} fault-injected runs`);
const searches = measureSearches((id) => unitDone(`find and shrink ${id}`));
progress.stop();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
const md = [
  "# ActiveMQ model speed",
  "",
  `- generated by: npm run bench:activemq (bench/activemq-models.ts)${quick ? " --quick" : ""}`,
  `- machine: ${machine}`,
  "",
  `## (a) Throughput runs (one queue, ${PRODUCERS} producers of persistent 1 KiB messages, sync sends, each offering ${RATE_PER_PRODUCER} msg/s from ${SENDING_FROM_NS / SECOND} s, ${THROUGHPUT_SECONDS} s of virtual time, one consumer, nvme disks)`,
  "",
  "A sync send waits for the broker's answer, so each producer has one send in flight and queues the rest: what a design carries is bounded by that round trip, not by the offered rate. With ALWAYS the answer waits for the store's fsync (3.5 ms on this nvme profile) unless the consumer's ack cancels the store first (concurrentStoreAndDispatchQueues, the default, and a consumer that processes in no time); PERIODIC never waits for an fsync. The run ends with the sending window, its backlog not drained. The acknowledged column is what the model's mechanisms carried, not a calibrated figure.",
  "",
  "| design | virtual s | wall s | × real time | events | events/s | acknowledged | acknowledged/s |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  ...throughput.map((t) => `| ${t.design} | ${t.virtualSeconds.toFixed(1)} | ${t.wallSeconds.toFixed(2)} | ${t.realTimeFactor.toFixed(1)} | ${t.events} | ${Math.round(t.eventsPerSecond)} | ${t.acknowledged} | ${Math.round(t.acknowledgedPerSecond)} |`),
  "",
  "## (b) Small fault-injected runs (the safe configuration of properties/activemq-safe.property.test.ts: 40 msg/s, up to 5 crashes, power losses and restarts of b1, b2, nfs and the clients, all checks)",
  "",
  "| design | runs | wall s | runs/s (one core) | runs that lost an acknowledged message | runs that delivered an unexpected one | runs another check failed | runs that did not converge |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
  ...faultRuns.map((f) => `| ${f.design} | ${f.runs} | ${f.wallSeconds.toFixed(2)} | **${f.runsPerSecond.toFixed(1)}** | ${f.lost} | ${f.unexpected} | ${f.otherChecks} | ${f.notConverged} |`),
  "",
  `## (c) Find and shrink (fast-check, search seed ${SEARCH_SEED})`,
  "",
  "| anomaly | runs to find | shrinks | shrunk faults | seconds |",
  "|---|---:|---:|---:|---:|",
  ...searches.map((s) => `| ${s.id} | ${s.runsToFind} | ${s.shrinks} | ${s.faults} | ${s.seconds.toFixed(2)} |`),
  "",
].join("\n");
await output.write("", [
  { name: "bench-activemq.md", content: md },
  { name: "bench-activemq.json", content: JSON.stringify({ machine, quick, throughput, faultRuns, searches }, null, 2) + "\n" },
]);
process.stdout.write(md + "\n");
process.stdout.write(output.summary());
