/**
 * A run's report pages: Markdown (charts as links to the SVG files written
 * beside it) and a self-contained HTML page (charts inlined), both rendered
 * from one ReportDocument so they never disagree.
 */
import { renderDocumentHtml } from "./html-document.js";
import { renderDocumentMarkdown } from "./markdown-document.js";
import type { ChartFile, RenderedChart } from "./rendered-chart.js";
import { runDocument } from "./run-document.js";
import type { RunSummary } from "./run-summary.js";

export function renderRunMarkdown(summary: RunSummary, chartFiles: readonly ChartFile[]): string {
  return renderDocumentMarkdown(runDocument(summary), chartFiles);
}

export function renderRunHtml(summary: RunSummary, charts: readonly RenderedChart[]): string {
  return renderDocumentHtml(runDocument(summary), charts);
}
