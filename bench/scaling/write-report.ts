/**
 * Writes scaling/ in the output folder (by default reports/scaling/):
 * scaling.md, index.html (self-contained: inline CSS and SVG, no scripts),
 * scaling.json and the chart SVGs — rendered in memory first, then written
 * together (BenchOutput.write, src/report/write-files.ts), so a failure
 * leaves the previous report whole.
 */
import { renderDocumentHtml } from "../../src/report/html-document.js";
import { renderDocumentMarkdown } from "../../src/report/markdown-document.js";
import type { BenchOutput } from "../bench-output.js";
import { renderScalingCharts } from "./charts.js";
import type { DesignResult, PointOptions } from "./design.js";
import { plannedOnly } from "./designs.js";
import { scalingDocument, type ScalingReport } from "./report-document.js";

export interface ScalingRuns {
  quick: boolean;
  brokerCounts: readonly number[];
  options: PointOptions;
  source: string;
  designs: DesignResult[];
}

/** Returns how many files it wrote. */
export async function writeScalingReport(output: BenchOutput, runs: ScalingRuns): Promise<number> {
  const report: ScalingReport = {
    generatedBy: `npm run bench:scaling${runs.quick ? " -- --quick" : ""} (bench/scaling.ts)`,
    ...runs,
    planned: plannedOnly(runs.designs),
  };
  const document = scalingDocument(report);
  const charts = await renderScalingCharts(report.designs, report.brokerCounts);
  return output.write("scaling", [
    { name: "scaling.md", content: renderDocumentMarkdown(document, charts) },
    { name: "index.html", content: renderDocumentHtml(document, charts) },
    ...charts.map((chart) => ({ name: chart.file, content: chart.svg })),
    { name: "scaling.json", content: `${JSON.stringify(report, null, 2)}\n` },
  ]);
}
