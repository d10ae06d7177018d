/**
 * Produce latency over virtual time: p50, p99 and max of the batches
 * acknowledged in each bucket, with the faults behind them. A failover shows
 * as the spike of the batches that waited it out (acknowledged late, so
 * plotted when acknowledged), which a whole-run CDF hides in its tail. The
 * y axis is logarithmic when latencies span more than two decades.
 */
import { NS_PER_MS, NS_PER_SEC } from "../kernel/time.js";
import { withFaultBands } from "./fault-bands.js";
import { CHART_HEIGHT, CHART_WIDTH, SERIES_COLORS, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { RunSummary } from "./run-summary.js";

const TITLE = "Produce latency over time";
const SERIES = ["p50", "p99", "max"] as const;

interface LatencyRow {
  seconds: number;
  /** null where no batch was acknowledged in the bucket: the line breaks there rather than bridging the gap. */
  ms: number | null;
  series: string;
}

export async function latencyTimelineChart(summary: RunSummary, chartId = "latency-timeline"): Promise<string> {
  const { bucketNs, produceLatency } = summary.timeline;
  if (bucketNs <= 0 || produceLatency === undefined) return renderPlaceholder(TITLE, "no latency timeline in this summary", chartId);
  const bucketSeconds = bucketNs / NS_PER_SEC;
  const rows: LatencyRow[] = [];
  const add = (values: readonly (number | null)[], series: string): void => {
    values.forEach((ns, k) => {
      // Plotted at the bucket's end, where its acknowledgements had all arrived.
      rows.push({ seconds: (k + 1) * bucketSeconds, ms: ns === null ? null : Math.max(ns, 1) / NS_PER_MS, series });
    });
  };
  add(produceLatency.p50Ns, SERIES[0]);
  add(produceLatency.p99Ns, SERIES[1]);
  add(produceLatency.maxNs, SERIES[2]);
  const values = rows.flatMap((row) => (row.ms === null ? [] : [row.ms]));
  if (values.length === 0) return renderPlaceholder(TITLE, "no batch was acknowledged", chartId);
  const isLog = Math.max(...values) / Math.min(...values) > 100;
  return renderVegaLite(
    withFaultBands(summary, { title: TITLE, width: CHART_WIDTH, height: CHART_HEIGHT }, {
      data: { values: rows },
      mark: { type: "line", point: { size: 12 }, invalid: "break-paths-filter-domains" },
      encoding: {
        x: { field: "seconds", type: "quantitative", title: "virtual time (s)", scale: { domain: [0, summary.virtualTimeNs / NS_PER_SEC] } },
        y: { field: "ms", type: "quantitative", title: "send → ack (ms)", scale: { type: isLog ? "log" : "linear" }, axis: { format: "~g" } },
        color: { field: "series", type: "nominal", title: null, scale: { domain: [...SERIES], range: [SERIES_COLORS[0], SERIES_COLORS[1], SERIES_COLORS[3]] }, legend: { orient: "bottom" } },
      },
    }),
    chartId,
  );
}
