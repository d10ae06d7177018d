/** The report module's public surface: charts, run and sweep pages, report directories, trace export. */
export type { CheckSummary, DiskSummary, LatencySummary, RunSummary, TimelineSummary, TrafficSummary, Verdict } from "./run-summary.js";
export { parameterValue, sweepPointFromRun, type SweepMetric, type SweepMetrics, type SweepPoint, type SweepSummary, type SweepValue } from "./sweep-summary.js";
export type { ChartFile, RenderedChart } from "./rendered-chart.js";
export { latencyCdfChart } from "./latency-cdf-chart.js";
export { throughputTimelineChart } from "./throughput-timeline-chart.js";
export { backlogChart } from "./backlog-chart.js";
export { bytesPerLinkChart } from "./bytes-per-link-chart.js";
export { sweepLinesChart } from "./sweep-lines-chart.js";
export { renderVegaLite } from "./render-svg.js";
export { renderRunCharts, runChartFiles } from "./run-charts.js";
export { renderSweepCharts } from "./sweep-charts.js";
export { renderRunHtml, renderRunMarkdown } from "./run-report.js";
export { renderSweepHtml, renderSweepMarkdown } from "./sweep-report.js";
export { writeRunReport } from "./write-run-report.js";
export { writeSweepReport } from "./write-sweep-report.js";
export { replayCommand } from "./replay-command.js";
export { escapeHtml, escapeMarkdown } from "./escape.js";
export {
  chromeTraceJson,
  toChromeTrace,
  DEFAULT_MAX_BATCHES,
  type ChromeTrace,
  type TraceBatchInput,
  type TraceEvent,
  type TraceFaultInput,
  type TraceInput,
  type TraceNodeInput,
  type TraceOptions,
} from "./perfetto.js";
