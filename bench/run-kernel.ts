/**
 * Kernel throughput benchmark (`npm run bench`). This is the only place in
 * the project that reads the wall clock: simulations themselves run on
 * virtual time only.
 *
 * Each tinybench iteration fires a fixed number of events, so one latency
 * sample converts to one events/s figure; the report gives the median and
 * the spread (p25-p75 and min-max) over iterations. Models are built before
 * their task's first iteration and kept across iterations, so the pending
 * set stays at its nominal size and set-up (filling 10^6 events) is not timed.
 *
 * Writes bench-kernel.md and bench-kernel.json into the output folder
 * (bench-output.ts: --out <dir> or MQSIM_REPORTS_DIR, by default reports/).
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import { Bench, type Task } from "tinybench";
import { Kernel } from "../src/kernel/kernel.js";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { HoldModel } from "./hold-model.js";
import { Mm1Model } from "./mm1-model.js";
import { QueueOnlyHold } from "./queue-only-hold.js";
import { measureYardstick, type YardstickResult } from "./yardstick.js";
import { peersSectionOf, withPeersSection } from "./peers-section.js";

const EVENTS_PER_ITERATION = 200_000;
const SEED = 20261122;

/** Throughput targets from the kernel's design notes, in events per second. */
const TARGETS: Record<string, number> = {
  "hold, 10^3 pending": 10_000_000,
  "hold, 10^5 pending": 4_000_000,
};

interface Model {
  /** Fires about EVENTS_PER_ITERATION events. */
  iterate(): void;
  /** Events fired so far, to turn iterations into exact event counts. */
  eventsFired(): number;
}

interface TaskSpec {
  name: string;
  pendingEvents: string;
  build(): Model;
}

function holdTask(pendingCount: number, label: string): TaskSpec {
  return {
    name: `hold, ${label} pending`,
    pendingEvents: label,
    build() {
      const kernel = new Kernel({ seed: SEED });
      const model = new HoldModel(kernel, pendingCount);
      return { iterate: () => model.runEvents(EVENTS_PER_ITERATION), eventsFired: () => kernel.scheduler.eventsFired };
    },
  };
}

function queueOnlyTask(pendingCount: number, label: string): TaskSpec {
  return {
    name: `queue only, ${label} pending`,
    pendingEvents: label,
    build() {
      const model = new QueueOnlyHold(SEED, pendingCount);
      return { iterate: () => model.runEvents(EVENTS_PER_ITERATION), eventsFired: () => model.eventsFired };
    },
  };
}

const specs: TaskSpec[] = [
  holdTask(1, "1"),
  holdTask(1_000, "10^3"),
  holdTask(100_000, "10^5"),
  holdTask(1_000_000, "10^6"),
  {
    name: "M/M/1, rho = 0.8",
    pendingEvents: "~2",
    build() {
      const kernel = new Kernel({ seed: SEED });
      const model = new Mm1Model(kernel, { interarrivalNsMean: 1_250_000, serviceNsMean: 1_000_000 });
      // Two events per customer: one arrival, one departure.
      return { iterate: () => void model.runCustomers(EVENTS_PER_ITERATION / 2), eventsFired: () => kernel.scheduler.eventsFired };
    },
  },
  // Diagnostics, not targets: the bare queue's ceiling at the target sizes.
  queueOnlyTask(1_000, "10^3"),
  queueOnlyTask(100_000, "10^5"),
];

interface TaskReport {
  name: string;
  pendingEvents: string;
  iterations: number;
  eventsPerIteration: number;
  eventsPerSecMedian: number;
  eventsPerSecP25: number;
  eventsPerSecP75: number;
  eventsPerSecMin: number;
  eventsPerSecMax: number;
  latencyMsMedian: number;
  targetEventsPerSec: number | null;
  targetMet: boolean | null;
  /** Every measured iteration's wall time, ascending (tinybench keeps them sorted). */
  latencyMsSamples: number[];
}

/** Linear-interpolated quantile of ascending values. */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}

async function main(): Promise<void> {
  // Read the flags first: a bad --out fails before the measuring.
  const output = new BenchOutput();
  const progress = benchProgress("bench");
  let tasksDone = 0;
  const bench = new Bench({
    name: "mqsim kernel",
    time: 1000,
    iterations: 20,
    warmupTime: 250,
    warmupIterations: 3,
    retainSamples: true,
    throws: true,
  });

  const models = new Map<string, Model>();
  const measuredEvents = new Map<string, number>();
  let eventsAtRunStart = 0;
  for (const spec of specs) {
    bench.add(
      spec.name,
      () => {
        models.get(spec.name)!.iterate();
      },
      {
        // Explicit: async detection would call the task once outside the measurement.
        async: false,
        beforeAll(mode) {
          if (!models.has(spec.name)) models.set(spec.name, spec.build());
          if (mode === "run") eventsAtRunStart = models.get(spec.name)!.eventsFired();
        },
        afterAll(mode) {
          if (mode !== "run") return;
          const model = models.get(spec.name)!;
          measuredEvents.set(spec.name, model.eventsFired() - eventsAtRunStart);
          // Free the big pending sets before the next task builds its own.
          models.delete(spec.name);
          progress.update(++tasksDone / specs.length, spec.name);
        },
      },
    );
  }

  const startedMs = Date.now();
  await bench.run();
  // The ratio to the minimal heap, timed in interleaved rounds after the tasks (their big heaps are freed by then).
  const yardstick = [1_000, 100_000].map((pending) => measureYardstick(pending));
  progress.stop();
  const elapsedSec = (Date.now() - startedMs) / 1000;

  const reports = bench.tasks.map((task) => report(task, specs, measuredEvents));
  const environment = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    date: new Date().toISOString(),
    tinybench: "6",
    eventsPerIteration: EVENTS_PER_ITERATION,
    benchSeconds: Number(elapsedSec.toFixed(1)),
  };

  const markdown = keepingPeers(output.path("bench-kernel.md"), renderMarkdown(environment, reports) + renderYardstick(yardstick));
  await output.write("", [
    { name: "bench-kernel.json", content: `${JSON.stringify({ environment, tasks: reports, yardstick }, null, 2)}\n` },
    { name: "bench-kernel.md", content: markdown },
  ]);
  process.stdout.write(markdown);
  process.stdout.write(output.summary());
}

function report(task: Task, taskSpecs: TaskSpec[], measuredEvents: Map<string, number>): TaskReport {
  const result = task.result;
  if (result.state !== "completed") throw new Error(`task ${task.name} ended in state ${result.state}`);
  const samplesMs = result.latency.samples;
  if (samplesMs === undefined) throw new Error(`task ${task.name}: no samples retained`);
  const iterations = samplesMs.length;
  // Exact for the hold model; M/M/1 fires 2 events per customer give or take the queue length.
  const eventsPerIteration = (measuredEvents.get(task.name) ?? Number.NaN) / iterations;
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const rate = (latencyMs: number): number => eventsPerIteration / (latencyMs / 1000);
  const spec = taskSpecs.find((s) => s.name === task.name)!;
  const target = TARGETS[task.name] ?? null;
  const median = rate(quantile(sorted, 0.5));
  return {
    name: task.name,
    pendingEvents: spec.pendingEvents,
    iterations,
    eventsPerIteration: Math.round(eventsPerIteration),
    eventsPerSecMedian: Math.round(median),
    // A slower iteration (higher latency quantile) is a lower rate.
    eventsPerSecP25: Math.round(rate(quantile(sorted, 0.75))),
    eventsPerSecP75: Math.round(rate(quantile(sorted, 0.25))),
    eventsPerSecMin: Math.round(rate(sorted[sorted.length - 1]!)),
    eventsPerSecMax: Math.round(rate(sorted[0]!)),
    latencyMsMedian: Number(quantile(sorted, 0.5).toFixed(3)),
    targetEventsPerSec: target,
    targetMet: target === null ? null : median >= target,
    latencyMsSamples: samplesMs.map((sampleMs) => Number(sampleMs.toFixed(4))),
  };
}

/** bench:peers' section (SimPy, ns-3) stays when this bench rewrites the file: this bench does not measure them. */
function keepingPeers(path: string, ownPart: string): string {
  const peers = existsSync(path) ? peersSectionOf(readFileSync(path, "utf8")) : "";
  return peers === "" ? ownPart : withPeersSection(ownPart, peers);
}

function renderYardstick(results: readonly YardstickResult[]): string {
  const lines = [
    "",
    "## Against the minimal heap (issue 16)",
    "",
    "The same hold model (same RNG stream and exponential draw) on the smallest event set JavaScript allows " +
      "(bench/minimal-heap-hold.ts: a binary heap over two typed arrays, a callback per slot; no handles, cancellation, " +
      "owner groups, budgets or digest), timed in interleaved rounds in this run. The ratio is the kernel's speed as a share " +
      "of the minimal heap's (median over rounds; the target is >= 0.90 at 10^3 pending).",
    "",
    "| pending | rounds | kernel M events/s | minimal heap M events/s | ratio median | ratio min-max |",
    "|---:|---:|---:|---:|---:|---:|",
    ...results.map(
      (r) =>
        `| ${r.pendingEvents.toLocaleString("en-US")} | ${r.rounds} | ${millions(r.kernelEventsPerSecMedian)} | ${millions(r.minimalEventsPerSecMedian)} | ` +
        `${r.ratioMedian.toFixed(2)} | ${r.ratioMin.toFixed(2)}-${r.ratioMax.toFixed(2)} |`,
    ),
    "",
    "The heap keeps two words per entry (time and slot; the sequence number that breaks ties is read from the slot table " +
      "only when times are equal): measured 1.19x (10^3) and 1.17x (10^5) the three-word heap's speed on the bare queue, " +
      "41 interleaved rounds each, when it was introduced.",
    "",
  ];
  return lines.join("\n");
}

function millions(value: number): string {
  return (value / 1e6).toFixed(2);
}

function renderMarkdown(environment: Record<string, string | number>, reports: TaskReport[]): string {
  const lines: string[] = [];
  lines.push("# Kernel benchmark");
  lines.push("");
  lines.push(`Generated by \`npm run bench\` (bench/run-kernel.ts) on ${environment["date"]}.`);
  lines.push("");
  lines.push(`- Node: ${environment["node"]}`);
  lines.push(`- CPU: ${environment["cpu"]} (${environment["cores"]} cores visible), ${environment["platform"]}`);
  lines.push(`- Each iteration fires ${EVENTS_PER_ITERATION.toLocaleString("en-US")} events; whole bench took ${environment["benchSeconds"]} s`);
  lines.push("- Kernel as in a normal run: event digest on, delays drawn from a named RNG stream (exponential, mean 1 ms)");
  lines.push("");
  lines.push("| model | pending events | iterations | M events/s median | p25-p75 | min-max | target | met |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|:---:|");
  for (const r of reports) {
    const target = r.targetEventsPerSec === null ? "" : `>= ${millions(r.targetEventsPerSec)}`;
    const met = r.targetMet === null ? "" : r.targetMet ? "yes" : "**no**";
    lines.push(
      `| ${r.name} | ${r.pendingEvents} | ${r.iterations} | ${millions(r.eventsPerSecMedian)} | ` +
        `${millions(r.eventsPerSecP25)}-${millions(r.eventsPerSecP75)} | ` +
        `${millions(r.eventsPerSecMin)}-${millions(r.eventsPerSecMax)} | ${target} | ${met} |`,
    );
  }
  lines.push("");
  lines.push("## Targets");
  lines.push("");
  lines.push(
    "The kernel aims at >= 10 M events/s with 10^3 pending events and >= 4 M events/s with 10^5 pending " +
      "(hold model: pop one event, schedule one with an exponential delay drawn from an RNG stream, digest on).",
  );
  lines.push("");
  const byName = new Map(reports.map((r) => [r.name, r]));
  const nsPerEvent = (name: string): string => {
    const r = byName.get(name);
    return r === undefined ? "?" : (1e9 / r.eventsPerSecMedian).toFixed(0);
  };
  for (const [label, target] of [
    ["10^3", TARGETS["hold, 10^3 pending"]!],
    ["10^5", TARGETS["hold, 10^5 pending"]!],
  ] as const) {
    const hold = byName.get(`hold, ${label} pending`);
    if (hold === undefined) continue;
    lines.push(
      `- ${label} pending: ${millions(hold.eventsPerSecMedian)} M events/s (${nsPerEvent(`hold, ${label} pending`)} ns/event) ` +
        `against a budget of ${(1e9 / target).toFixed(0)} ns/event: target ${hold.targetMet === true ? "met" : "not met"}. ` +
        `The bare queue alone (pre-drawn delays, no scheduler, RNG or digest) takes ${nsPerEvent(`queue only, ${label} pending`)} ns per pop+push at this size.`,
    );
  }
  lines.push(
    `- With 1 pending event (heap of one) the whole per-event path (scheduler loop, exponential draw, digest, ` +
      `dispatch) costs ${nsPerEvent("hold, 1 pending")} ns; the heap's cost at size N comes on top of that.`,
  );
  lines.push("");
  lines.push(
    "So the targets depend on queue cost first. A likely reason: a binary heap over random keys takes one " +
      "hard-to-predict branch per level (about 10 levels at 10^3, 17 at 10^5), and the 10^5 and 10^6 heaps " +
      "outgrow the per-core caches. " +
      "The M/M/1 row is a realistic small model: two event kinds, two RNG streams, a waiting ring.",
  );
  lines.push("");
  lines.push(
    "Figures are wall-clock throughput on a shared machine; compare runs on the same machine and Node version only. " +
      "Raw numbers: reports/bench-kernel.json.",
  );
  lines.push("");
  return `${lines.join("\n")}`;
}

await main();
