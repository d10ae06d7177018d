/**
 * Throughput over virtual time: messages acknowledged to producers and
 * messages applied by consumers, per second, bucket by bucket; failed sends
 * too when there were any, since they explain a dip. A fault shows up as a
 * gap in "acked" and a later catch-up spike in "applied".
 */
import { NS_PER_SEC } from "../kernel/time.js";
import { CHART_HEIGHT, CHART_WIDTH, SERIES_COLORS, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { RunSummary } from "./run-summary.js";
import { withFaultBands } from "./fault-bands.js";

const TITLE = "Throughput over time";
const SERIES = ["acked", "applied", "failed sends"] as const;

interface RateRow {
  seconds: number;
  perSec: number;
  series: string;
}

export async function throughputTimelineChart(summary: RunSummary, chartId = "throughput"): Promise<string> {
  const { bucketNs, acked, applied, failedSends } = summary.timeline;
  if (bucketNs <= 0 || acked.length + applied.length === 0) {
    return renderPlaceholder(TITLE, "no timeline: the run recorded no buckets", chartId);
  }
  const bucketSeconds = bucketNs / NS_PER_SEC;
  const rows: RateRow[] = [];
  const add = (values: readonly number[], series: string): void => {
    values.forEach((count, k) => rows.push({ seconds: k * bucketSeconds, perSec: count / bucketSeconds, series }));
  };
  add(acked, SERIES[0]);
  add(applied, SERIES[1]);
  const anyFailed = failedSends.some((count) => count > 0);
  if (anyFailed) add(failedSends, SERIES[2]);
  const domain = anyFailed ? [...SERIES] : [SERIES[0], SERIES[1]];
  return renderVegaLite(
    withFaultBands(summary, { title: TITLE, width: CHART_WIDTH, height: CHART_HEIGHT }, {
      data: { values: rows },
      mark: { type: "line", interpolate: "step-after" },
      encoding: {
        x: { field: "seconds", type: "quantitative", title: "virtual time (s)" },
        y: { field: "perSec", type: "quantitative", title: "messages per second", axis: { format: "~s" } },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          scale: { domain, range: [SERIES_COLORS[0], SERIES_COLORS[2], SERIES_COLORS[3]].slice(0, domain.length) },
          legend: { orient: "bottom" },
        },
      },
    }),
    chartId,
  );
}
