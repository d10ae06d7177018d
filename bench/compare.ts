/**
 * The four-system comparison (`npm run bench:compare`), claim C12: RabbitMQ,
 * ActiveMQ, Kafka and RocketMQ on the same machines (one node, then three),
 * the same disk profiles (hdd, nvme) and messages (1 KiB, 100 B): peak
 * throughput with its limit named, latency at a moderate load, and
 * throughput as partitions or queues go from 8 to 1024 on one hdd node.
 * Everything is measured from the simulation (bench/compare/measure.ts);
 * seeds are fixed, so the report is the same on every machine.
 *
 * Writes compare/ in the output folder (bench-output.ts: by default
 * reports/compare/): compare.md, index.html, compare.json and the charts.
 * Flags: --quick (a few points, short runs), --render (the text and charts
 * again from the output folder's compare/compare.json, nothing run), --out
 * <dir> (the output folder; or MQSIM_REPORTS_DIR).
 */
import { existsSync, readFileSync } from "node:fs";
import type { Progress } from "../src/cli/progress.js";
import { renderDocumentHtml } from "../src/report/html-document.js";
import { renderDocumentMarkdown } from "../src/report/markdown-document.js";
import { BenchOutput, benchProgress } from "./bench-output.js";
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

/** Messages the application hands over at a time: a 16 KiB batch where the client batches, one message for JMS's send(). */
function messagesPerSendOf(system: CompareSystem, messageBytes: number): number {
  return system === "activemq" || system === "activemq-direct" ? 1 : Math.max(1, Math.floor(BATCH_BYTES / messageBytes));
}

function pointLabel(point: PointParams): string {
  return `${SYSTEM_LABELS[point.system]}, ${point.nodes} node${point.nodes === 1 ? "" : "s"}, ${point.disk}, ${point.messageBytes} B, ${point.destinations} destinations`;
}

/** Measures one point and prints its line (the progress bar out of the way). */
function run(point: PointParams, progress: Progress): ComparePoint {
  const measured = measurePoint(point, () => Date.now());
  progress.print(
    `${pointLabel(point)}: ` +
      `acked ${Math.round(measured.ackedMessagesPerSec)} msg/s, delivered ${Math.round(measured.deliveredMessagesPerSec)} msg/s; limited by ${measured.limitedBy} (${(measured.wallMs / 1000).toFixed(1)} s)\n`,
  );
  return measured;
}

function measureAll(quick: boolean, progress: Progress): CompareReport {
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
  const pointsTotal = SYSTEMS.length * nodeCounts.length * DISKS.length * (sizes.length + 1) + SWEEP_SYSTEMS.length * sweepDestinations.length;
  const measure = (point: PointParams): ComparePoint => {
    const measured = run(point, progress);
    progress.update((peak.length + latency.length + sweep.length + 1) / pointsTotal, pointLabel(point));
    return measured;
  };
  for (const system of SYSTEMS) {
    for (const nodes of nodeCounts) {
      for (const disk of DISKS) {
        for (const messageBytes of sizes) {
          const offered = Math.min(PEAK_OFFERED_BYTES_PER_SEC / messageBytes, PEAK_OFFERED_MESSAGES_PER_SEC_MAX);
          peak.push(measure({ system, disk, nodes, messageBytes, destinations: DESTINATIONS, offeredMessagesPerSec: offered, messagesPerSend: messagesPerSendOf(system, messageBytes), withConsumers: true, timing: peakTiming }));
        }
        latency.push(measure({ system, disk, nodes, messageBytes: 1_024, destinations: DESTINATIONS, offeredMessagesPerSec: MODERATE_MESSAGES_PER_SEC, messagesPerSend: 1, withConsumers: true, timing: latencyTiming }));
      }
    }
  }
  for (const system of SWEEP_SYSTEMS) {
    for (const destinations of sweepDestinations) {
      const offered = PEAK_OFFERED_BYTES_PER_SEC / 1_024;
      sweep.push(measure({ system, disk: "hdd", nodes: 1, messageBytes: 1_024, destinations, offeredMessagesPerSec: offered, messagesPerSend: messagesPerSendOf(system, 1_024), withConsumers: false, timing: sweepTiming }));
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

/** Writes the report's files from its data into compare/ of the output folder. */
async function writeReport(output: BenchOutput, report: CompareReport): Promise<number> {
  const document = compareDocument(report);
  const charts = [await peakChart(report.peak), await sweepChart(report.sweep, report.sweepDestinations), await latencyChart(report.latency)];
  return output.write("compare", [
    { name: "compare.md", content: renderDocumentMarkdown(document, charts) },
    { name: "index.html", content: renderDocumentHtml(document, charts) },
    ...charts.map((chart) => ({ name: chart.file, content: chart.svg })),
    // Wall times are this machine's: printed while running, never in the report (the same on every machine).
    { name: "compare.json", content: `${JSON.stringify(report, (key, value: unknown) => (key === "wallMs" ? undefined : value), 2)}\n` },
  ]);
}

async function main(): Promise<void> {
  const startedMs = Date.now();
  // Read the flags first: a bad --out fails before the runs.
  const output = new BenchOutput();
  if (process.argv.includes("--render")) {
    // The report's text and charts again from its JSON, without running anything (after a change to the document's wording).
    const jsonPath = output.path("compare/compare.json");
    if (!existsSync(jsonPath)) throw new Error(`--render reads ${jsonPath}, which is not there: run the bench into this folder first, or copy the JSON there`);
    await writeReport(output, JSON.parse(readFileSync(jsonPath, "utf8")) as CompareReport);
    process.stdout.write(`rendered from ${jsonPath}, nothing run\n${output.summary()}`);
    return;
  }
  const progress = benchProgress("bench:compare");
  const report = measureAll(process.argv.includes("--quick"), progress);
  progress.stop();
  await writeReport(output, report);
  process.stdout.write(`measured in ${((Date.now() - startedMs) / 1000).toFixed(0)} s\n`);
  process.stdout.write(output.summary());
}

await main();
