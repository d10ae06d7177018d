/**
 * One metric of a sweep against one parameter, a line per value of an
 * optional second parameter: "p99 against rate, one line per acks setting".
 * Points whose run failed a check are drawn as crosses, so a throughput that
 * looks good but lost data does not pass for a result.
 */
import { compareStrings } from "../kernel/order.js";
import { parseBandwidthBytesPerSec, parseDurationNs, parseRatePerSec, parseSizeBytes } from "../scenario/units.js";
import { CHART_HEIGHT, CHART_WIDTH, renderPlaceholder, renderVegaLite } from "./render-svg.js";
import { SWEEP_METRICS } from "./sweep-metrics.js";
import { parameterValue, type SweepMetric, type SweepPoint, type SweepValue } from "./sweep-summary.js";

interface SweepRow {
  x: number | string;
  y: number;
  series: string;
  verdict: string;
  report?: string;
}

/** A swept value as a number when it is one or a value with a unit ("120k/s", "250ms", "1KiB", "10Gbps"), so 2k, 20k, 60k, 120k sort as numbers, not as text. */
function magnitudeOf(value: SweepValue): number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  for (const parse of [parseRatePerSec, parseDurationNs, parseSizeBytes, parseBandwidthBytesPerSec]) {
    const parsed = parse(value);
    if (parsed !== null) return parsed;
  }
  return null;
}

function compareValues(a: SweepValue, b: SweepValue): number {
  const magnitudeA = magnitudeOf(a);
  const magnitudeB = magnitudeOf(b);
  if (magnitudeA !== null && magnitudeB !== null && magnitudeA !== magnitudeB) return magnitudeA - magnitudeB;
  return compareStrings(String(a), String(b));
}

/** The distinct values in the order an axis or legend shows them: by magnitude when they have one, else as text. */
export function sweepValueOrder(values: readonly SweepValue[]): SweepValue[] {
  return [...new Set(values)].sort(compareValues);
}

export async function sweepLinesChart(
  points: readonly SweepPoint[],
  x: string,
  y: SweepMetric,
  series?: string,
  chartId = `sweep-${y.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
): Promise<string> {
  const info = SWEEP_METRICS[y];
  const title = series === undefined ? `${info.label} by ${x}` : `${info.label} by ${x}, per ${series}`;
  const usable = points.filter((point) => parameterValue(point, x) !== undefined && point.metrics[y] !== null);
  if (usable.length === 0) return renderPlaceholder(title, `no points set ${x} and report ${info.label}`, chartId);
  const xValues = usable.map((point) => parameterValue(point, x)!);
  const numericX = xValues.every((value) => typeof value === "number");
  const seriesName = (point: SweepPoint): string =>
    series === undefined ? "all" : `${series}=${String(parameterValue(point, series) ?? "unset")}`;
  const rows: SweepRow[] = usable
    .map((point) => ({
      x: numericX ? (parameterValue(point, x) as number) : String(parameterValue(point, x)),
      y: info.toAxis(point.metrics[y]!),
      series: seriesName(point),
      verdict: point.verdict === "ok" ? "ok" : "failed",
      // Each point links to its own run report, where the sweep wrote one (an <a> around the mark in the SVG).
      ...(point.report === undefined ? {} : { report: point.report }),
    }))
    // Lines join points in x order; ties keep a stable order by series.
    .sort((a, b) => compareValues(a.x, b.x) || compareStrings(a.series, b.series));
  // Colours follow the series parameter's values in ascending order, not the order points happened to run.
  const seriesOrder = sweepValueOrder(usable.map((point) => (series === undefined ? "all" : (parameterValue(point, series) ?? "unset"))))
    .map((value) => (series === undefined ? "all" : `${series}=${String(value)}`));
  const xOrder = numericX ? undefined : sweepValueOrder(xValues).map(String);
  return renderVegaLite(
    {
      title,
      width: CHART_WIDTH,
      height: CHART_HEIGHT,
      data: { values: rows },
      encoding: {
        x: numericX
          ? { field: "x", type: "quantitative", title: x, scale: { zero: false } }
          : { field: "x", type: "ordinal", title: x, sort: xOrder ?? null },
        y: { field: "y", type: "quantitative", title: info.label, axis: { format: "~s" } },
        color: {
          field: "series",
          type: "nominal",
          title: null,
          sort: seriesOrder,
          legend: series === undefined ? null : { orient: "bottom" },
        },
      },
      layer: [
        // Each series its own dash as well as its colour: lines that coincide stay distinguishable.
        { mark: { type: "line" }, encoding: { strokeDash: { field: "series", type: "nominal", sort: seriesOrder, legend: null } } },
        {
          mark: { type: "point", filled: true, size: 60, cursor: "pointer" },
          encoding: {
            ...(usable.some((point) => point.report !== undefined) ? { href: { field: "report" } } : {}),
            shape: {
              field: "verdict",
              type: "nominal",
              title: "verdict",
              scale: { domain: ["ok", "failed"], range: ["circle", "cross"] },
              legend: { orient: "bottom" },
            },
          },
        },
      ],
    },
    chartId,
  );
}
