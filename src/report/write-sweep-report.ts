/**
 * Writes one sweep's report directory: sweep.md, sweep.html, the chart SVGs
 * and sweep.json. Rendered in memory first; see write-files.ts.
 */
import { renderSweepCharts } from "./sweep-charts.js";
import { renderSweepHtml, renderSweepMarkdown } from "./sweep-report.js";
import type { SweepSummary } from "./sweep-summary.js";
import { writeFilesTogether } from "./write-files.js";

export async function writeSweepReport(dir: string, sweep: SweepSummary): Promise<string[]> {
  const charts = await renderSweepCharts(sweep);
  return writeFilesTogether(dir, [
    { name: "sweep.md", content: renderSweepMarkdown(sweep, charts) },
    { name: "sweep.html", content: renderSweepHtml(sweep, charts) },
    ...charts.map((chart) => ({ name: chart.file, content: chart.svg })),
    // JSON.stringify drops an undefined bottleneck, which is what a reader of the file expects.
    { name: "sweep.json", content: `${JSON.stringify(sweep, null, 2)}\n` },
  ]);
}
