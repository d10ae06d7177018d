/**
 * The partitions-per-disk report (`npm run bench:partitions-hdd`), claim
 * C12: one Kafka broker with P partitions and one RocketMQ master with P
 * queues on the same disk, P = 8 → 2048, producers offering more than a
 * spinning disk can write; how each system's acknowledged throughput
 * follows P on hdd and on nvme. Everything is measured from the
 * simulation (bench/partitions-hdd/measure.ts); seeds are fixed, so the report
 * is the same on every machine.
 *
 * Writes reports/partitions-hdd/: partitions-hdd.md, index.html,
 * partitions-hdd.json and the chart. Flag: --quick (two points, shorter runs).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderDocumentHtml } from "../src/report/html-document.js";
import { renderDocumentMarkdown } from "../src/report/markdown-document.js";
import { writeFilesTogether } from "../src/report/write-files.js";
import { sourceVersion } from "./kafka-acks/source-version.js";
import { renderSweepChart } from "./partitions-hdd/chart.js";
import { sweepDocument, type SweepReport } from "./partitions-hdd/document.js";
import { measurePoint, type SweepPoint } from "./partitions-hdd/measure.js";
import { DISKS, PARTITION_COUNTS, QUICK_PARTITION_COUNTS, QUICK_TIMING, SINGLE_NODE_PARTITIONS, SINGLE_NODE_SYSTEMS, SYSTEMS, TIMING, type Timing } from "./partitions-hdd/settings.js";
import { fmtBytesPerSec } from "./scaling/format.js";

function writePointLine(point: SweepPoint, wallMs: number): void {
  process.stdout.write(
    `${point.system}, ${point.disk}, P=${point.partitions}: acked ${fmtBytesPerSec(point.ackedBytesPerSec)}, device ${fmtBytesPerSec(point.deviceWriteBytesPerSec)} ` +
      `busy ${(point.deviceBusyShare * 100).toFixed(0)}%, ${Math.round(point.bytesPerWritebackVisit / 1024)} KiB per writeback visit, ${point.fsyncsPerSec.toFixed(0)} fsyncs/s ` +
      `(${(wallMs / 1000).toFixed(1)} s)\n`,
  );
}

/** The single-node table: the sweep's points at SINGLE_NODE_PARTITIONS where it has them, the other systems measured now. */
function measureSingleNode(sweep: readonly SweepPoint[], timing: Timing): SweepPoint[] {
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
      writePointLine(point, Date.now() - startedMs);
    }
  }
  return points;
}

/** Writes the report's files from its data. */
async function writeReport(report: SweepReport): Promise<number> {
  const document = sweepDocument(report);
  const chart = await renderSweepChart(report.points, report.partitionCounts);
  const dir = fileURLToPath(new URL("../reports/partitions-hdd/", import.meta.url));
  const written = await writeFilesTogether(dir, [
    { name: "partitions-hdd.md", content: renderDocumentMarkdown(document, [chart]) },
    { name: "index.html", content: renderDocumentHtml(document, [chart]) },
    { name: chart.file, content: chart.svg },
    { name: "partitions-hdd.json", content: `${JSON.stringify(report, null, 2)}\n` },
  ]);
  return written.length;
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  if (process.argv.includes("--render")) {
    // The report's text and chart again from its JSON, without running anything (after a change to the document's wording).
    const json = readFileSync(fileURLToPath(new URL("../reports/partitions-hdd/partitions-hdd.json", import.meta.url)), "utf8");
    const count = await writeReport(JSON.parse(json) as SweepReport);
    process.stdout.write(`rendered ${count} files in reports/partitions-hdd/ from its JSON\n`);
    return;
  }
  const quick = process.argv.includes("--quick");
  const partitionCounts = quick ? QUICK_PARTITION_COUNTS : PARTITION_COUNTS;
  const timing = quick ? QUICK_TIMING : TIMING;
  const points: SweepPoint[] = [];
  for (const system of SYSTEMS) {
    for (const disk of DISKS) {
      for (const partitions of partitionCounts) {
        const pointStartedMs = Date.now();
        const point = measurePoint(system, disk, partitions, timing);
        points.push(point);
        writePointLine(point, Date.now() - pointStartedMs);
      }
    }
  }
  const singleNode = measureSingleNode(points, timing);
  const report: SweepReport = { generatedBy: `npm run bench:partitions-hdd${quick ? " -- --quick" : ""} (bench/partitions-hdd.ts)`, quick, source: sourceVersion(), partitionCounts, timing, points, singleNode };
  const count = await writeReport(report);
  process.stdout.write(`wrote ${count} files to reports/partitions-hdd/ in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
}

await main();
