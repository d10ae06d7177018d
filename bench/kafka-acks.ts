/**
 * acks=0 / 1 / all on one Kafka cluster (`npm run bench:kafka-acks`):
 * latency percentiles, throughput and what each setting loses when a
 * partition leader dies — all measured from simulation runs (runKafka's
 * History and its "lost" check), never from formulas.
 *
 * Seeds and fault instants are fixed, so the report is identical on every
 * machine; only the wall time printed on the console varies.
 *
 * Writes reports/kafka-acks.md and reports/kafka-acks.json. The parts live in
 * bench/kafka-acks/:
 * - scenarios.ts: the cluster, the workload, the fault scenarios and each run's spec;
 * - measure.ts: measuring one run (latency, throughput, loss, stalls);
 * - report-context.ts, render.ts, render-sections.ts, format.ts: the Markdown report;
 * - source-version.ts: which commit of src/ the report comes from.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fmtInt, fmtMs } from "./kafka-acks/format.js";
import { measure, type RunReport } from "./kafka-acks/measure.js";
import { renderMarkdown } from "./kafka-acks/render.js";
import { ACKS, allScenarios, SEED } from "./kafka-acks/scenarios.js";
import { sourceVersion } from "./kafka-acks/source-version.js";

function main(): void {
  const startedMs = Date.now();
  const scenarios = allScenarios();
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
