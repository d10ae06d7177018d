/**
 * Latency CDF: for each latency on the x axis, the fraction of batches
 * (produce) or messages (end to end) that took at most that long. Tails are
 * what matter, so the x axis turns logarithmic when latencies span more than
 * two decades, where a linear axis would squash the body into one pixel.
 */
import { NS_PER_MS } from "../kernel/time.js";
import { CHART_HEIGHT, CHART_WIDTH, SERIES_COLORS, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { LatencySummary, RunSummary } from "./run-summary.js";

const TITLE = "Latency CDF";
const SERIES = ["produce (send → ack)", "end to end (send → first effect)"] as const;

interface CdfRow {
  ms: number;
  fraction: number;
  series: string;
}

function rowsOf(latency: LatencySummary | null, series: string): CdfRow[] {
  if (latency === null) return [];
  return latency.cdf.map((point) => ({ ms: point.ns / NS_PER_MS, fraction: point.fraction, series }));
}

/** Decides the x scale from the data: log when positive latencies span more than 100×. */
function xScaleFor(rows: readonly CdfRow[]): { type: "linear" } | { type: "log" } {
  let min = Infinity;
  let max = 0;
  for (const row of rows) {
    if (row.ms <= 0) return { type: "linear" };
    min = Math.min(min, row.ms);
    max = Math.max(max, row.ms);
  }
  return max / min > 100 ? { type: "log" } : { type: "linear" };
}

export async function latencyCdfChart(summary: RunSummary, chartId = "latency-cdf"): Promise<string> {
  const rows = [...rowsOf(summary.latency.produce, SERIES[0]), ...rowsOf(summary.latency.endToEnd, SERIES[1])];
  if (rows.length === 0) return renderPlaceholder(TITLE, "no latency samples: nothing was acknowledged", chartId);
  return renderVegaLite(
    {
      title: TITLE,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values: rows },
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "ms", type: "quantitative", title: "latency (ms)", scale: xScaleFor(rows) },
        y: { field: "fraction", type: "quantitative", title: "fraction at or below", axis: { format: "%" }, scale: { domain: [0, 1] } },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          scale: { domain: [...SERIES], range: [SERIES_COLORS[0], SERIES_COLORS[1]] },
          legend: { orient: "bottom" },
        },
      },
    },
    chartId,
  );
}
