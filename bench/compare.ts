/**
 * The four-system comparison (`npm run bench:compare`), claim C12: RabbitMQ,
 * ActiveMQ, Kafka and RocketMQ on the same machines (one node, then three),
 * the same disk profiles (hdd, nvme) and messages (1 KiB, 100 B): peak
 * throughput with its limit named, latency at a moderate load, and
 * throughput as partitions or queues go from 8 to 1024 on one hdd node.
 * Everything is measured from the simulation (bench/compare/measure.ts);
 * seeds are fixed, so the report is the same on every machine.
 *
 * Writes reports/compare/: compare.md, index.html, compare.json and the
 * charts. Flags: --quick (a few points, short runs), --render (the text and
 * charts again from compare.json).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderDocumentHtml } from "../src/report/html-document.js";
import { renderDocumentMarkdown } from "../src/report/markdown-document.js";
import { writeFilesTogether } from "../src/report/write-files.js";
import { latencyChart, peakChart, sweepChart } from "./compare/charts.js";
import { compareDocument, type CompareReport } from "./compare/document.js";
import { measurePoint, type ComparePoint } from "./compare/measure.js";
import {
  BATCH_BYTES,
  DESTINATIONS,
  DISKS,
  LATENCY_TIMING,
  MESSAGE_SIZES,
  MODERATE_MESSAGES_PER_SEC,
  NODE_COUNTS,
  PEAK_OFFERED_BYTES_PER_SEC,
  PEAK_OFFERED_MESSAGES_PER_SEC_MAX,
  PEAK_TIMING,
  QUICK_SWEEP_DESTINATIONS,
  QUICK_TIMING,
  SWEEP_DESTINATIONS,
  SWEEP_SYSTEMS,
  SWEEP_TIMING,
  SYSTEM_LABELS,
  SYSTEMS,
  type CompareSystem,
  type PointParams,
} from "./compare/settings.js";
import { sourceVersion } from "./kafka-acks/source-version.js";

const REPORT_DIR = fileURLToPath(new URL("../reports/compare/", import.meta.url));

/** Messages the application hands over at a time: a 16 KiB batch where the client batches, one message for JMS's send(). */
function messagesPerSendOf(system: CompareSystem, messageBytes: number): number {
  return system === "activemq" || system === "activemq-direct" ? 1 : Math.max(1, Math.floor(BATCH_BYTES / messageBytes));
}

function run(point: PointParams): ComparePoint {
  const measured = measurePoint(point, () => Date.now());
  process.stdout.write(
    `${SYSTEM_LABELS[point.system]}, ${point.nodes} node${point.nodes === 1 ? "" : "s"}, ${point.disk}, ${point.messageBytes} B, ${point.destinations} destinations: ` +
      `acked ${Math.round(measured.ackedMessagesPerSec)} msg/s, delivered ${Math.round(measured.deliveredMessagesPerSec)} msg/s; limited by ${measured.limitedBy} (${(measured.wallMs / 1000).toFixed(1)} s)\n`,
  );
  return measured;
}

function measureAll(quick: boolean): CompareReport {
  // The source the runs load now (a change made while they run does not reach them).
  const source = sourceVersion();
  const peakTiming = quick ? QUICK_TIMING : PEAK_TIMING;
  const latencyTiming = quick ? QUICK_TIMING : LATENCY_TIMING;
  const sweepTiming = quick ? QUICK_TIMING : SWEEP_TIMING;
  const sizes = quick ? [1_024] : MESSAGE_SIZES;
  const nodeCounts = quick ? ([1] as const) : NODE_COUNTS;
  const sweepDestinations = quick ? QUICK_SWEEP_DESTINATIONS : SWEEP_DESTINATIONS;
  const peak: ComparePoint[] = [];
  const latency: ComparePoint[] = [];
  const sweep: ComparePoint[] = [];
  for (const system of SYSTEMS) {
    for (const nodes of nodeCounts) {
      for (const disk of DISKS) {
        for (const messageBytes of sizes) {
          const offered = Math.min(PEAK_OFFERED_BYTES_PER_SEC / messageBytes, PEAK_OFFERED_MESSAGES_PER_SEC_MAX);
          peak.push(run({ system, disk, nodes, messageBytes, destinations: DESTINATIONS, offeredMessagesPerSec: offered, messagesPerSend: messagesPerSendOf(system, messageBytes), withConsumers: true, timing: peakTiming }));
        }
        latency.push(run({ system, disk, nodes, messageBytes: 1_024, destinations: DESTINATIONS, offeredMessagesPerSec: MODERATE_MESSAGES_PER_SEC, messagesPerSend: 1, withConsumers: true, timing: latencyTiming }));
      }
    }
  }
  for (const system of SWEEP_SYSTEMS) {
    for (const destinations of sweepDestinations) {
      const offered = PEAK_OFFERED_BYTES_PER_SEC / 1_024;
      sweep.push(run({ system, disk: "hdd", nodes: 1, messageBytes: 1_024, destinations, offeredMessagesPerSec: offered, messagesPerSend: messagesPerSendOf(system, 1_024), withConsumers: false, timing: sweepTiming }));
    }
  }
  return {
    generatedBy: "npm run bench:compare (bench/compare.ts)",
    source,
    quick,
    timings: { peak: peakTiming, latency: latencyTiming, sweep: sweepTiming },
    sweepDestinations,
    peak,
    latency,
    sweep,
  };
}

async function writeReport(report: CompareReport): Promise<number> {
  const document = compareDocument(report);
  const charts = [await peakChart(report.peak), await sweepChart(report.sweep, report.sweepDestinations), await latencyChart(report.latency)];
  const written = await writeFilesTogether(REPORT_DIR, [
    { name: "compare.md", content: renderDocumentMarkdown(document, charts) },
    { name: "index.html", content: renderDocumentHtml(document, charts) },
    ...charts.map((chart) => ({ name: chart.file, content: chart.svg })),
    // Wall times are this machine's: printed while running, never in the report (the same on every machine).
    { name: "compare.json", content: `${JSON.stringify(report, (key, value: unknown) => (key === "wallMs" ? undefined : value), 2)}\n` },
  ]);
  return written.length;
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  if (process.argv.includes("--render")) {
    const report = JSON.parse(readFileSync(`${REPORT_DIR}compare.json`, "utf8")) as CompareReport;
    process.stdout.write(`rendered ${await writeReport(report)} files in reports/compare/ from its JSON\n`);
    return;
  }
  const report = measureAll(process.argv.includes("--quick"));
  const count = await writeReport(report);
  process.stdout.write(`wrote ${count} files to reports/compare/ in ${((Date.now() - startedMs) / 1000).toFixed(0)} s\n`);
}

await main();
