/**
 * acks=0 / 1 / all on one Kafka cluster (`npm run bench:kafka-acks`):
 * latency percentiles, throughput and what each setting loses when a
 * partition leader dies — all measured from simulation runs (runKafka's
 * History and its "lost" check), never from formulas.
 *
 * Seeds and fault instants are fixed, so the report is identical on every
 * machine; only the wall time printed on the console varies.
 *
 * Writes kafka-acks.md and kafka-acks.json into the output folder (bench-output.ts:
 * --out or MQSIM_REPORTS_DIR, by default reports/). The parts live in
 * bench/kafka-acks/:
 * - scenarios.ts: the cluster, the workload, the fault scenarios and each run's spec;
 * - measure.ts: measuring one run (latency, throughput, loss, stalls);
 * - report-context.ts, render.ts, render-sections.ts, format.ts: the Markdown report;
 * - source-version.ts: which commit of src/ the report comes from.
 */
import { BenchOutput, benchProgress } from "./bench-output.js";
import { fmtInt, fmtMs } from "./kafka-acks/format.js";
import { measure, type RunReport } from "./kafka-acks/measure.js";
import { renderMarkdown } from "./kafka-acks/render.js";
import { ACKS, allScenarios, SEED } from "./kafka-acks/scenarios.js";
import { sourceVersion } from "./kafka-acks/source-version.js";

async function main(): Promise<void> {
  const startedMs = Date.now();
  // Read the flags first: a bad --out fails before minutes of runs.
  const output = new BenchOutput();
  const scenarios = allScenarios();
  const totalRuns = scenarios.length * ACKS.length;
  const progress = benchProgress("kafka-acks");
  const runs: RunReport[] = [];
  for (const scenario of scenarios) {
    for (const acks of ACKS) {
      const runStartedMs = Date.now();
      const run = measure(scenario, acks);
      runs.push(run);
      const label = `${scenario.id}${scenario.id.startsWith("kill9") ? `#${scenario.variant}` : ""} acks=${acks}`;
      progress.print(
        `${label}: acked ${run.acked}, lost ${run.lost + run.unseen}, ` +
          `p50 ${fmtMs(run.latency.p50Ns)} ms, ${fmtInt(run.throughputMessagesPerSec)} msg/s, converged ${run.converged} (${((Date.now() - runStartedMs) / 1000).toFixed(1)} s)\n`,
      );
      // Before the update: print has just cleared the bar, so the error is not drawn over.
      if (!run.converged) throw new Error(`${scenario.id} acks=${acks}: the cluster did not converge`);
      progress.update(runs.length / totalRuns, label);
    }
  }
  progress.stop();
  const source = sourceVersion();
  const json = { seed: SEED, generatedBy: "npm run bench:kafka-acks", source, runs };
  await output.write("", [
    { name: "kafka-acks.json", content: `${JSON.stringify(json, null, 2)}\n` },
    { name: "kafka-acks.md", content: renderMarkdown(runs, source) },
  ]);
  process.stdout.write(`ran ${runs.length} simulation runs in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
  process.stdout.write(output.summary());
}

await main();
