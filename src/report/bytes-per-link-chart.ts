/**
 * Bytes on the wire per directed link, largest first: shows where replication
 * and fetch traffic concentrates (a leader's egress, a hot follower). Long
 * tails of tiny links are cut to the largest MAX_LINKS so the chart stays
 * readable; the title says how many were left out.
 */
import { compareStrings } from "../kernel/order.js";
import { CHART_WIDTH, SERIES_COLORS, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { RunSummary } from "./run-summary.js";

const TITLE = "Bytes per link";
export const MAX_LINKS = 40;

interface LinkRow {
  link: string;
  bytes: number;
}

export async function bytesPerLinkChart(summary: RunSummary, chartId = "bytes-per-link"): Promise<string> {
  const links = summary.traffic.byLink
    .filter((link) => link.bytes > 0)
    // Ties broken by name so the order never depends on the input's order.
    .sort((a, b) => b.bytes - a.bytes || compareStrings(a.from, b.from) || compareStrings(a.to, b.to));
  if (links.length === 0) return renderPlaceholder(TITLE, "no bytes on any link", chartId);
  const shown = links.slice(0, MAX_LINKS);
  const rows: LinkRow[] = shown.map((link) => ({ link: `${link.from} → ${link.to}`, bytes: link.bytes }));
  const title = links.length > shown.length ? `${TITLE} (largest ${shown.length} of ${links.length})` : TITLE;
  return renderVegaLite(
    {
      title,
      width: CHART_WIDTH - 140,
      height: { step: 16 },
      data: { values: rows },
      mark: { type: "bar", color: SERIES_COLORS[0] },
      encoding: {
        y: { field: "link", type: "nominal", title: null, sort: rows.map((row) => row.link), axis: { labelLimit: 180 } },
        x: { field: "bytes", type: "quantitative", title: "bytes on the wire", axis: { format: "~s" } },
      },
    },
    chartId,
  );
}
