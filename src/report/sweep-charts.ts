/**
 * The charts of a sweep report: throughput and produce p99 (and end-to-end
 * p99 when consumers applied effects) against the first swept parameter,
 * one line per value of the second. Further parameters show in the table.
 */
import type { RenderedChart } from "./rendered-chart.js";
import { sweepLinesChart } from "./sweep-lines-chart.js";
import { SWEEP_METRICS } from "./sweep-metrics.js";
import type { SweepMetric, SweepSummary } from "./sweep-summary.js";

const CHART_METRICS: readonly { metric: SweepMetric; name: string }[] = [
  { metric: "ackedPerSec", name: "sweep-throughput" },
  { metric: "produceP99Ns", name: "sweep-produce-p99" },
  { metric: "endToEndP99Ns", name: "sweep-end-to-end-p99" },
];

export async function renderSweepCharts(sweep: SweepSummary): Promise<RenderedChart[]> {
  const [x, series] = sweep.parameters;
  if (x === undefined || sweep.points.length === 0) return [];
  const charts: RenderedChart[] = [];
  for (const { metric, name } of CHART_METRICS) {
    if (!sweep.points.some((point) => point.metrics[metric] !== null)) continue;
    const title = `${SWEEP_METRICS[metric].label} by ${x}`;
    // Sequential on purpose: see run-charts.ts.
    const svg = await sweepLinesChart(sweep.points, x, metric, series, name);
    charts.push({ name, title, file: `${name}.svg`, svg });
  }
  return charts;
}
