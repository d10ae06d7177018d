/**
 * The partitions-per-disk report (`npm run bench:partitions-hdd`): one Kafka
 * broker on one disk, P = 8 → 2048 partitions, producers offering more than
 * a spinning disk can write; on hdd the acknowledged throughput falls as
 * partitions multiply, on nvme it holds. Everything is measured from the
 * simulation (bench/partitions-hdd/measure.ts); seeds are fixed, so the report
 * is the same on every machine.
 *
 * Writes reports/partitions-hdd/: partitions-hdd.md, index.html,
 * partitions-hdd.json and the chart. Flag: --quick (two points, shorter runs).
 */
import { fileURLToPath } from "node:url";
import { renderDocumentHtml } from "../src/report/html-document.js";
import { renderDocumentMarkdown } from "../src/report/markdown-document.js";
import { writeFilesTogether } from "../src/report/write-files.js";
import { sourceVersion } from "./kafka-acks/source-version.js";
import { renderSweepChart } from "./partitions-hdd/chart.js";
import { sweepDocument, type SweepReport } from "./partitions-hdd/document.js";
import { measurePoint, type SweepPoint } from "./partitions-hdd/measure.js";
import { DISKS, PARTITION_COUNTS, QUICK_PARTITION_COUNTS, QUICK_TIMING, TIMING } from "./partitions-hdd/settings.js";
import { fmtBytesPerSec } from "./scaling/format.js";

async function main(): Promise<void> {
  const startedMs = Date.now();
  const quick = process.argv.includes("--quick");
  const partitionCounts = quick ? QUICK_PARTITION_COUNTS : PARTITION_COUNTS;
  const timing = quick ? QUICK_TIMING : TIMING;
  const points: SweepPoint[] = [];
  for (const disk of DISKS) {
    for (const partitions of partitionCounts) {
      const pointStartedMs = Date.now();
      const point = measurePoint(disk, partitions, timing);
      points.push(point);
      process.stdout.write(
        `${disk}, P=${partitions}: acked ${fmtBytesPerSec(point.ackedBytesPerSec)}, device ${fmtBytesPerSec(point.deviceWriteBytesPerSec)} ` +
          `busy ${(point.deviceBusyShare * 100).toFixed(0)}%, ${Math.round(point.bytesPerWritebackVisit / 1024)} KiB per writeback visit ` +
          `(${((Date.now() - pointStartedMs) / 1000).toFixed(1)} s)\n`,
      );
    }
  }
  const report: SweepReport = { generatedBy: `npm run bench:partitions-hdd${quick ? " -- --quick" : ""} (bench/partitions-hdd.ts)`, quick, source: sourceVersion(), partitionCounts, timing, points };
  const document = sweepDocument(report);
  const chart = await renderSweepChart(points, partitionCounts);
  const dir = fileURLToPath(new URL("../reports/partitions-hdd/", import.meta.url));
  const written = await writeFilesTogether(dir, [
    { name: "partitions-hdd.md", content: renderDocumentMarkdown(document, [chart]) },
    { name: "index.html", content: renderDocumentHtml(document, [chart]) },
    { name: chart.file, content: chart.svg },
    { name: "partitions-hdd.json", content: `${JSON.stringify(report, null, 2)}\n` },
  ]);
  process.stdout.write(`wrote ${written.length} files to reports/partitions-hdd/ in ${((Date.now() - startedMs) / 1000).toFixed(1)} s of wall time\n`);
}

await main();
