/**
 * Backlog over virtual time: messages acknowledged to producers but not yet
 * applied, per consumer group, at the end of each bucket. A growing line is a
 * group that cannot keep up (or a partition that is not being consumed).
 */
import { NS_PER_SEC } from "../kernel/time.js";
import { CHART_HEIGHT, CHART_WIDTH, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { RunSummary } from "./run-summary.js";
import { withFaultBands } from "./fault-bands.js";

const TITLE = "Consumer backlog over time";

interface BacklogRow {
  seconds: number;
  messages: number;
  group: string;
}

export async function backlogChart(summary: RunSummary, chartId = "backlog"): Promise<string> {
  const { bucketNs, backlogByGroup } = summary.timeline;
  const withValues = backlogByGroup.filter((series) => series.values.length > 0);
  if (bucketNs <= 0 || withValues.length === 0) return renderPlaceholder(TITLE, "no consumer groups in this run", chartId);
  const bucketSeconds = bucketNs / NS_PER_SEC;
  const rows: BacklogRow[] = [];
  for (const series of withValues) {
    // Each value is the backlog at its bucket's end.
    series.values.forEach((messages, k) => rows.push({ seconds: (k + 1) * bucketSeconds, messages, group: series.group }));
  }
  return renderVegaLite(
    withFaultBands(summary, { title: TITLE, width: CHART_WIDTH, height: CHART_HEIGHT }, {
      data: { values: rows },
      mark: { type: "line" },
      encoding: {
        x: { field: "seconds", type: "quantitative", title: "virtual time (s)" },
        y: { field: "messages", type: "quantitative", title: "acked, not yet applied", axis: { format: "~s" } },
        // Groups in the summary's order, not alphabetical: the order the scenario declared them.
        color: { field: "group", type: "nominal", title: "group", sort: withValues.map((series) => series.group), legend: { orient: "bottom" } },
      },
    }),
    chartId,
  );
}
