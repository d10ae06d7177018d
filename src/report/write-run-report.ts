/**
 * Writes one run's report directory: report.md, report.html, one SVG per
 * chart and summary.json (the RunSummary itself, for scripts and for
 * re-rendering). Everything is rendered in memory first, then the folder is
 * written as a whole (write-report-folder.ts): a kill leaves the old report
 * or the new one, never a mix.
 */
import { writeReportFolder } from "./write-report-folder.js";
import { renderRunCharts } from "./run-charts.js";
import { renderRunHtml, renderRunMarkdown } from "./run-report.js";
import type { RunSummary } from "./run-summary.js";

export async function writeRunReport(dir: string, summary: RunSummary): Promise<string[]> {
  const charts = await renderRunCharts(summary);
  const files = [
    { name: "report.md", content: renderRunMarkdown(summary, charts) },
    { name: "report.html", content: renderRunHtml(summary, charts) },
    ...charts.map((chart) => ({ name: chart.file, content: chart.svg })),
    { name: "summary.json", content: `${JSON.stringify(summary, null, 2)}\n` },
  ];
  return writeReportFolder(dir, files);
}
