/**
 * How fast the RabbitMQ model simulates (`npm run bench:rabbitmq`):
 *
 * (a) throughput: 3 nodes, one durable queue, confirms + persistent 1 KiB
 *     messages offered at 40,000 msg/s in bursts of 50, one consumer with
 *     manual acks, 30 s of virtual time: a mirrored classic queue (ha-mode
 *     all, 3.13) and a quorum queue (4.x). Each carries what it can (its
 *     master's CPU, the quorum queue's commit round trips with 32 commands
 *     in flight: the "confirmed" column). Reported as simulated seconds per
 *     wall second, events and events per second;
 * (b) small fault-injected runs as the property suites make them: a quorum
 *     queue on 3 nodes, 200 messages, one outage or partition at a time
 *     (properties/rabbitmq-faults.ts), every checker: runs per second;
 * (c) R3 and R4 found and shrunk by fast-check (search seed 20261122).
 *
 * Wall time is read here only. Writes bench-rabbitmq.md and .json into the
 * output folder (bench-output.ts: by default reports/).
 * Flags: --quick (shorter runs, for a smoke test), --out <dir> (the output
 * folder; or MQSIM_REPORTS_DIR).
 */
import os from "node:os";
import fc from "fast-check";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { oneFaultAtATime } from "../properties/rabbitmq-faults.js";
import { rabbitAnomalyCounterexamples } from "../src/systems/rabbitmq/anomalies.js";
import { runRabbitMq, type RabbitRunSpec } from "../src/systems/rabbitmq/run.js";

const SECOND = 1_000_000_000;
const quick = process.argv.includes("--quick");
const THROUGHPUT_SECONDS = quick ? 5 : 30;
const FAULT_RUNS = quick ? 20 : 200;

function throughputSpec(kind: "mirrored" | "quorum"): RabbitRunSpec {
  return {
    seed: 20261122,
    cluster: {
      nodes: 3,
      queues: [{ name: "q", type: kind === "quorum" ? "quorum" : "classic", durable: true, node: "r1" }],
      ...(kind === "mirrored" ? { policies: [{ name: "ha", pattern: "^q$", definition: { "ha-mode": "all" as const, "ha-sync-mode": "automatic" as const } }], config: { version: "3.13" as const } } : {}),
    },
    publishers: [{ name: "p1", hosts: ["r1"], exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 40_000, messageBytes: 1024, batch: 50, persistent: true, inFlightMax: 5_000 }],
    consumers: [{ name: "c1", hosts: ["r1"], queue: "q", prefetch: 2_000, autoAck: false, processNsPerMessage: 0 }],
    faults: [],
    faultPhaseNs: THROUGHPUT_SECONDS * SECOND,
    convergeNsMax: 30 * SECOND,
  };
}

interface Throughput {
  design: string;
  virtualSeconds: number;
  wallSeconds: number;
  realTimeFactor: number;
  events: number;
  eventsPerSecond: number;
  confirmed: number;
}

function measureThroughput(kind: "mirrored" | "quorum"): Throughput {
  runRabbitMq({ ...throughputSpec(kind), faultPhaseNs: 2 * SECOND }); // warm-up
  const started = performance.now();
  const result = runRabbitMq(throughputSpec(kind));
  const wallSeconds = (performance.now() - started) / 1000;
  const virtualSeconds = result.timeNs / SECOND;
  let confirmed = 0;
  for (const e of result.history.events) if (e.type === "send-result" && e.outcome === "ok") confirmed += e.count;
  return { design: kind === "quorum" ? "quorum queue (3 replicas)" : "mirrored queue, ha-mode all", virtualSeconds, wallSeconds, realTimeFactor: virtualSeconds / wallSeconds, events: result.events, eventsPerSecond: result.events / wallSeconds, confirmed };
}

function measureFaultRuns(): { runs: number; wallSeconds: number; runsPerSecond: number; failed: number } {
  const schedules = fc.sample(oneFaultAtATime({ nodeNames: ["r1", "r2", "r3"], kinds: ["crash", "powerLoss", "pause", "partition"], horizonNs: 2 * SECOND, episodesMax: 5, durationNsMax: SECOND }), { seed: 424242, numRuns: FAULT_RUNS });
  const spec = (faults: RabbitRunSpec["faults"], seed: number): RabbitRunSpec => ({
    seed,
    cluster: { nodes: 3, queues: [{ name: "q", type: "quorum", durable: true }] },
    publishers: [{ name: "p1", exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 100, messageBytes: 256, batch: 1, persistent: true, inFlightMax: 20 }],
    consumers: [{ name: "c1", queue: "q", prefetch: 10, autoAck: false, processNsPerMessage: 1_000_000 }],
    faults,
    faultPhaseNs: 2 * SECOND,
    convergeNsMax: 20 * SECOND,
  });
  let failed = 0;
  const started = performance.now();
  schedules.forEach((faults, i) => {
    const result = runRabbitMq(spec(faults, i));
    if (result.checks.some((c) => (c.check === "lost" || c.check === "unexpected") && !c.ok)) failed++;
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return { runs: schedules.length, wallSeconds, runsPerSecond: schedules.length / wallSeconds, failed };
}

function measureSearches(): { id: string; seconds: number; runsToFind: number; shrinks: number; faults: number }[] {
  const started = performance.now();
  const found = rabbitAnomalyCounterexamples(20261122);
  const seconds = (performance.now() - started) / 1000;
  // The two searches run back to back in one call; each is given its share by the runs it made.
  const total = found.reduce((n, c) => n + c.runsToFind + c.shrinks, 0);
  return found.map((c) => ({ id: c.id, seconds: (seconds * (c.runsToFind + c.shrinks)) / total, runsToFind: c.runsToFind, shrinks: c.shrinks, faults: c.faults.length }));
}

// Read the flags first: a bad --out fails before the runs.
const output = new BenchOutput();
// Units of work for the progress bar: two throughput runs, the fault-injected runs, the searches.
const UNITS_TOTAL = 4;
const progress = benchProgress("bench:rabbitmq");
const throughput: Throughput[] = [];
for (const kind of ["mirrored", "quorum"] as const) {
  throughput.push(measureThroughput(kind));
  progress.update(throughput.length / UNITS_TOTAL, `throughput, ${kind} queue`);
}
const faultRuns = measureFaultRuns();
progress.update(3 / UNITS_TOTAL, `${faultRuns.runs} fault-injected runs`);
const searches = measureSearches();
progress.update(4 / UNITS_TOTAL, "find and shrink");
progress.stop();
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
const md = [
  "# RabbitMQ model speed",
  "",
  `- generated by: npm run bench:rabbitmq (bench/rabbitmq-models.ts)${quick ? " --quick" : ""}`,
  `- machine: ${machine}`,
  "",
  "## (a) Throughput runs (3 nodes, confirms, persistent 1 KiB messages at 40,000 msg/s, bursts of 50)",
  "",
  "| design | virtual s | wall s | × real time | events | events/s | confirmed |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...throughput.map((t) => `| ${t.design} | ${t.virtualSeconds.toFixed(1)} | ${t.wallSeconds.toFixed(2)} | ${t.realTimeFactor.toFixed(1)} | ${t.events} | ${Math.round(t.eventsPerSecond)} | ${t.confirmed} |`),
  "",
  "## (b) Small fault-injected runs (quorum queue, 3 nodes, ~200 messages, one fault at a time, all checks)",
  "",
  `${faultRuns.runs} runs in ${faultRuns.wallSeconds.toFixed(2)} s: **${faultRuns.runsPerSecond.toFixed(1)} runs/s** on one core; runs that lost or invented a confirmed message: ${faultRuns.failed}.`,
  "",
  "## (c) Find and shrink (fast-check, search seed 20261122)",
  "",
  "| anomaly | runs to find | shrinks | shrunk faults | seconds (share of the joint time) |",
  "|---|---:|---:|---:|---:|",
  ...searches.map((s) => `| ${s.id} | ${s.runsToFind} | ${s.shrinks} | ${s.faults} | ${s.seconds.toFixed(2)} |`),
  "",
].join("\n");
await output.write("", [
  { name: "bench-rabbitmq.md", content: md },
  { name: "bench-rabbitmq.json", content: JSON.stringify({ machine, quick, throughput, faultRuns, searches }, null, 2) + "\n" },
]);
process.stdout.write(md + "\n");
process.stdout.write(output.summary());
