/**
 * The charts of one run's report, in page order, with their file names.
 * Rendered one after another rather than concurrently: vega's id counters
 * are process-wide, and a fixed order keeps every output byte identical.
 */
import { backlogChart } from "./backlog-chart.js";
import { clusterTimelineChart } from "./cluster-timeline-chart.js";
import { latencyTimelineChart } from "./latency-timeline-chart.js";
import { bytesPerLinkChart } from "./bytes-per-link-chart.js";
import { latencyCdfChart } from "./latency-cdf-chart.js";
import type { ChartFile, RenderedChart } from "./rendered-chart.js";
import type { RunSummary } from "./run-summary.js";
import { throughputTimelineChart } from "./throughput-timeline-chart.js";

interface RunChartSpec extends ChartFile {
  render: (summary: RunSummary, chartId: string) => Promise<string>;
}

const RUN_CHARTS: readonly RunChartSpec[] = [
  { name: "cluster-timeline", title: "What happened: faults, leaders, truncations, lost messages", file: "cluster-timeline.svg", render: clusterTimelineChart },
  { name: "throughput", title: "Throughput over time", file: "throughput.svg", render: throughputTimelineChart },
  { name: "latency-timeline", title: "Produce latency over time", file: "latency-timeline.svg", render: latencyTimelineChart },
  { name: "latency-cdf", title: "Latency CDF", file: "latency-cdf.svg", render: latencyCdfChart },
  { name: "backlog", title: "Consumer backlog over time", file: "backlog.svg", render: backlogChart },
  { name: "bytes-per-link", title: "Bytes per link", file: "bytes-per-link.svg", render: bytesPerLinkChart },
];

/** The chart files a run report has, without rendering them (for the Markdown report's links). */
export function runChartFiles(): ChartFile[] {
  return RUN_CHARTS.map(({ name, title, file }) => ({ name, title, file }));
}

export async function renderRunCharts(summary: RunSummary): Promise<RenderedChart[]> {
  const charts: RenderedChart[] = [];
  for (const chart of RUN_CHARTS) {
    charts.push({ name: chart.name, title: chart.title, file: chart.file, svg: await chart.render(summary, chart.name) });
  }
  return charts;
}
