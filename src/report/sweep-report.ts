/**
 * A sweep's report pages, Markdown and self-contained HTML, from one
 * document (see run-report.ts for the same arrangement for one run).
 */
import { renderDocumentHtml } from "./html-document.js";
import { renderDocumentMarkdown } from "./markdown-document.js";
import type { ChartFile, RenderedChart } from "./rendered-chart.js";
import { sweepDocument } from "./sweep-document.js";
import type { SweepSummary } from "./sweep-summary.js";

export function renderSweepMarkdown(sweep: SweepSummary, chartFiles: readonly ChartFile[]): string {
  return renderDocumentMarkdown(sweepDocument(sweep), chartFiles);
}

export function renderSweepHtml(sweep: SweepSummary, charts: readonly RenderedChart[]): string {
  return renderDocumentHtml(sweepDocument(sweep), charts);
}
