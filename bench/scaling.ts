/**
 * The scaling report (`npm run bench:scaling`), claims C7 vs C9: what
 * replication costs per produced byte and how the aggregate maximum
 * throughput grows with the number of brokers N, one line per design — all
 * measured from simulation runs (the world's byte counters, disk busy time,
 * the producers' acknowledgements), never from formulas.
 *
 * Every design (bench/scaling/designs.ts) is measured at N = 3, 5, 7, 9
 * under the two workloads of bench/scaling/settings.ts, one run after
 * another. Seeds are fixed, so the report is the same on every machine;
 * only the wall time printed on the console varies.
 *
 * Writes scaling/ in the output folder (bench-output.ts: by default
 * reports/scaling/): scaling.md, index.html (self-contained, charts
 * inline), scaling.json (every measured figure) and the charts as SVG.
 * Flags: --quick (N = 3 and 5, shorter runs; a smoke test), --out <dir>
 * (the output folder; or MQSIM_REPORTS_DIR).
 *
 * The parts, in bench/scaling/: design.ts (the Design interface: how to add
 * a line), designs.ts (the lines, and the RabbitMQ lines planned),
 * kafka-*.ts (the Kafka lines and their two measurements), traffic.ts and
 * bottleneck.ts (counters, utilisation and naming the bottleneck),
 * settings.ts (the methodology's numbers), charts.ts, report-*.ts and
 * write-report.ts (the report).
 */
import { BenchOutput, benchProgress } from "./bench-output.js";
import { sourceVersion } from "./kafka-acks/source-version.js";
import { busiestByKind, nameBottleneck } from "./scaling/bottleneck.js";
import type { DesignResult } from "./scaling/design.js";
import { DESIGNS } from "./scaling/designs.js";
import { fmtBytesPerSec, fmtRatio } from "./scaling/format.js";
import { BROKER_COUNTS, pointOptions, QUICK_BROKER_COUNTS } from "./scaling/settings.js";
import { writeScalingReport } from "./scaling/write-report.js";

async function main(): Promise<void> {
  const startedMs = Date.now();
  const quick = process.argv.includes("--quick");
  const options = pointOptions(quick);
  const brokerCounts = quick ? QUICK_BROKER_COUNTS : BROKER_COUNTS;
  // Read the flags first: a bad --out fails before the runs.
  const output = new BenchOutput();
  const pointsTotal = DESIGNS.length * brokerCounts.length;
  let pointsDone = 0;
  const progress = benchProgress("bench:scaling");
  const results: DesignResult[] = [];
  for (const design of DESIGNS) {
    const result: DesignResult = { id: design.id, label: design.label, system: design.system, settings: design.settings, expectation: design.expectation, points: [] };
    for (const brokers of brokerCounts) {
      const pointStartedMs = Date.now();
      const point = await design.measure(brokers, options);
      const bottleneck = nameBottleneck(point.maxThroughput);
      result.points.push({ ...point, bottleneck });
      const r = point.replication;
      if (!r.converged || r.lostMessages > 0) throw new Error(`${design.label}, N=${brokers}: the fixed-load run converged=${r.converged}, lost ${r.lostMessages}`);
      progress.print(
        `${design.label}, N=${brokers} (P=${point.partitions}): replication ${fmtRatio(r.replicationWireBytes / r.ackedPayloadBytes)} wire B per payload B; ` +
          `max ${fmtBytesPerSec(point.maxThroughput.ackedBytesPerSec)}, bottleneck ${bottleneck}; busiest ${busiestByKind(point.maxThroughput.resources, 3)} ` +
          `(${((Date.now() - pointStartedMs) / 1000).toFixed(1)} s)\n`,
      );
      progress.update(++pointsDone / pointsTotal, `${design.label}, N=${brokers}`);
    }
    results.push(result);
  }
  progress.stop();
  await writeScalingReport(output, { quick, brokerCounts, options, source: sourceVersion(), designs: results });
  process.stdout.write(`measured ${pointsDone} points in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
  process.stdout.write(output.summary());
}

await main();
