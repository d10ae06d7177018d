/**
 * The run's story as one SVG (cluster-timeline.ts makes its rows): lanes for
 * the nodes faults or detectors touched, the network, and the streams that
 * matter; bars for faults and for each leader's term (coloured by leader,
 * labelled with node and epoch); marks for truncations, step-downs,
 * in-sync changes, nodes declared down or up, and the lost messages where
 * they were acknowledged; the faults as grey bands behind it all.
 */
import type { TopLevelSpec } from "vega-lite";
import { compareStrings } from "../kernel/order.js";
import { clusterTimeline, FAULT, MARK_KINDS, NO_LEADER } from "./cluster-timeline.js";
import { faultBandLayers, faultBands } from "./fault-bands.js";
import { CHART_WIDTH, SERIES_COLORS, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import type { RunSummary } from "./run-summary.js";

const TITLE = "What happened: faults, leaders, truncations, lost messages";
const LANE_HEIGHT_PX = 24;
const MARK_SHAPES = ["triangle-up", "triangle-down", "cross", "diamond", "circle", "circle", "square"];
const MARK_COLORS = ["#8b0000", "#e45756", "#f58518", "#4c78a8", "#d62728", "#2ca02c", "#72b7b2"];

export async function clusterTimelineChart(summary: RunSummary, chartId = "cluster-timeline"): Promise<string> {
  const timeline = clusterTimeline(summary);
  if (timeline.lanes.length === 0) return renderPlaceholder(TITLE, "no cluster events, faults or lost messages to show", chartId);
  const leaders = [...new Set(timeline.bars.map((bar) => bar.who).filter((who) => who !== FAULT && who !== NO_LEADER))].sort(compareStrings);
  const whoDomain = [...leaders, NO_LEADER, FAULT];
  const whoRange = [...leaders.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]!), "#dddddd", "#999999"];
  const x = { type: "quantitative", title: "virtual time (s)", scale: { domain: [0, timeline.endSeconds], nice: false } };
  const y = { field: "lane", type: "nominal", title: null, sort: timeline.lanes, scale: { domain: timeline.lanes } };
  const subtitle = timeline.streamsLeftOut > 0 ? `${timeline.streamsLeftOut} more streams with cluster events are not drawn (the report's cluster events table lists them)` : undefined;
  const spec = {
    title: subtitle === undefined ? TITLE : { text: TITLE, subtitle },
    width: CHART_WIDTH,
    height: timeline.lanes.length * LANE_HEIGHT_PX,
    layer: [
      ...faultBandLayers(faultBands(summary), { isLabelled: false }),
      {
        data: { values: timeline.bars },
        mark: { type: "bar", height: LANE_HEIGHT_PX - 8, opacity: 0.85 },
        encoding: {
          x: { field: "startSeconds", ...x },
          x2: { field: "endSeconds" },
          y,
          color: { field: "who", type: "nominal", title: "leader / fault", scale: { domain: whoDomain, range: whoRange }, legend: { orient: "bottom", columns: 6 } },
        },
      },
      {
        data: { values: timeline.bars },
        mark: { type: "text", align: "left", dx: 3, fontSize: 9, color: "#222", limit: 120 },
        encoding: { x: { field: "startSeconds", ...x }, y, text: { field: "label", type: "nominal" } },
      },
      {
        data: { values: timeline.marks },
        mark: { type: "point", filled: true, size: 70, opacity: 0.95 },
        encoding: {
          x: { field: "seconds", ...x },
          y,
          shape: { field: "what", type: "nominal", title: "event", scale: { domain: [...MARK_KINDS], range: MARK_SHAPES }, legend: { orient: "bottom", columns: 3 } },
          fill: { field: "what", type: "nominal", title: "event", scale: { domain: [...MARK_KINDS], range: MARK_COLORS } },
          stroke: { field: "what", type: "nominal", title: "event", scale: { domain: [...MARK_KINDS], range: MARK_COLORS } },
        },
      },
      {
        // What each truncation cut, beside its mark: the detail that explains a loss.
        data: { values: timeline.marks.filter((mark) => mark.what === "truncation") },
        mark: { type: "text", align: "left", dx: 6, dy: -8, fontSize: 9, color: "#b22222", limit: 220 },
        encoding: { x: { field: "seconds", ...x }, y, text: { field: "detail", type: "nominal" } },
      },
    ],
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
  };
  return renderVegaLite(spec as TopLevelSpec, chartId);
}
