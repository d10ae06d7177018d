/**
 * The partitions-per-disk report (`npm run bench:partitions-hdd`), claim
 * C12: one Kafka broker with P partitions and one RocketMQ master with P
 * queues on the same disk, P = 8 → 2048, producers offering more than a
 * spinning disk can write; how each system's acknowledged throughput
 * follows P on hdd and on nvme. Everything is measured from the
 * simulation (bench/partitions-hdd/measure.ts); seeds are fixed, so the report
 * is the same on every machine.
 *
 * Writes partitions-hdd/ in the output folder (bench-output.ts: by default
 * reports/partitions-hdd/): partitions-hdd.md, index.html,
 * partitions-hdd.json and the chart. Flags: --quick (two points, shorter
 * runs), --render (the text and chart again from the output folder's
 * partitions-hdd/partitions-hdd.json, nothing run), --out <dir> (the output
 * folder; or MQSIM_REPORTS_DIR).
 */
import { existsSync, readFileSync } from "node:fs";
import type { Progress } from "../src/cli/progress.js";
import { renderDocumentHtml } from "../src/report/html-document.js";
import { renderDocumentMarkdown } from "../src/report/markdown-document.js";
import { BenchOutput, benchProgress } from "./bench-output.js";
import { sourceVersion } from "./kafka-acks/source-version.js";
import { renderSweepChart } from "./partitions-hdd/chart.js";
import { sweepDocument, type SweepReport } from "./partitions-hdd/document.js";
import { measurePoint, type SweepPoint } from "./partitions-hdd/measure.js";
import { DISKS, PARTITION_COUNTS, QUICK_PARTITION_COUNTS, QUICK_TIMING, SINGLE_NODE_PARTITIONS, SINGLE_NODE_SYSTEMS, SYSTEMS, TIMING, type SweepSystem, type Timing } from "./partitions-hdd/settings.js";
import { fmtBytesPerSec } from "./scaling/format.js";

type OnMeasured = (point: SweepPoint, wallMs: number) => void;

/** After each measured point: its line on stdout (the bar out of the way), and the bar moved on. */
function pointReporter(progress: Progress, pointsTotal: number): OnMeasured {
  let pointsDone = 0;
  return (point, wallMs) => {
    progress.print(
      `${point.system}, ${point.disk}, P=${point.partitions}: acked ${fmtBytesPerSec(point.ackedBytesPerSec)}, device ${fmtBytesPerSec(point.deviceWriteBytesPerSec)} ` +
        `busy ${(point.deviceBusyShare * 100).toFixed(0)}%, ${Math.round(point.bytesPerWritebackVisit / 1024)} KiB per writeback visit, ${point.fsyncsPerSec.toFixed(0)} fsyncs/s ` +
        `(${(wallMs / 1000).toFixed(1)} s)\n`,
    );
    progress.update(++pointsDone / pointsTotal, `${point.system}, ${point.disk}, P=${point.partitions}`);
  };
}

/** Points the bench measures: the sweep's, and those of the single-node table the sweep does not have (measureSingleNode). */
function pointsToMeasure(partitionCounts: readonly number[]): number {
  const isSwept = (system: SweepSystem): boolean => SYSTEMS.includes(system) && partitionCounts.includes(SINGLE_NODE_PARTITIONS);
  return SYSTEMS.length * DISKS.length * partitionCounts.length + DISKS.length * SINGLE_NODE_SYSTEMS.filter((system) => !isSwept(system)).length;
}

/** The single-node table: the sweep's points at SINGLE_NODE_PARTITIONS where it has them, the other systems measured now. */
function measureSingleNode(sweep: readonly SweepPoint[], timing: Timing, onMeasured: OnMeasured): SweepPoint[] {
  const points: SweepPoint[] = [];
  for (const disk of DISKS) {
    for (const system of SINGLE_NODE_SYSTEMS) {
      const known = sweep.find((point) => point.system === system && point.disk === disk && point.partitions === SINGLE_NODE_PARTITIONS);
      if (known !== undefined) {
        points.push(known);
        continue;
      }
      const startedMs = Date.now();
      const point = measurePoint(system, disk, SINGLE_NODE_PARTITIONS, timing);
      points.push(point);
      onMeasured(point, Date.now() - startedMs);
    }
  }
  return points;
}

/** Writes the report's files from its data into partitions-hdd/ of the output folder. */
async function writeReport(output: BenchOutput, report: SweepReport): Promise<number> {
  const document = sweepDocument(report);
  const chart = await renderSweepChart(report.points, report.partitionCounts);
  return output.write("partitions-hdd", [
    { name: "partitions-hdd.md", content: renderDocumentMarkdown(document, [chart]) },
    { name: "index.html", content: renderDocumentHtml(document, [chart]) },
    { name: chart.file, content: chart.svg },
    { name: "partitions-hdd.json", content: `${JSON.stringify(report, null, 2)}\n` },
  ]);
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  // Read the flags first: a bad --out fails before the runs.
  const output = new BenchOutput();
  if (process.argv.includes("--render")) {
    // The report's text and chart again from its JSON, without running anything (after a change to the document's wording).
    const jsonPath = output.path("partitions-hdd/partitions-hdd.json");
    if (!existsSync(jsonPath)) throw new Error(`--render reads ${jsonPath}, which is not there: run the bench into this folder first, or copy the JSON there`);
    await writeReport(output, JSON.parse(readFileSync(jsonPath, "utf8")) as SweepReport);
    process.stdout.write(`rendered from ${jsonPath}, nothing run\n${output.summary()}`);
    return;
  }
  const quick = process.argv.includes("--quick");
  const partitionCounts = quick ? QUICK_PARTITION_COUNTS : PARTITION_COUNTS;
  const timing = quick ? QUICK_TIMING : TIMING;
  const progress = benchProgress("bench:partitions-hdd");
  const onMeasured = pointReporter(progress, pointsToMeasure(partitionCounts));
  const points: SweepPoint[] = [];
  for (const system of SYSTEMS) {
    for (const disk of DISKS) {
      for (const partitions of partitionCounts) {
        const pointStartedMs = Date.now();
        const point = measurePoint(system, disk, partitions, timing);
        points.push(point);
        onMeasured(point, Date.now() - pointStartedMs);
      }
    }
  }
  const singleNode = measureSingleNode(points, timing, onMeasured);
  progress.stop();
  const report: SweepReport = { generatedBy: `npm run bench:partitions-hdd${quick ? " -- --quick" : ""} (bench/partitions-hdd.ts)`, quick, source: sourceVersion(), partitionCounts, timing, points, singleNode };
  await writeReport(output, report);
  process.stdout.write(`measured in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
  process.stdout.write(output.summary());
}

await main();
