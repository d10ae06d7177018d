/**
 * The report's charts: one line per design against the number of brokers N,
 * rendered to SVG in Node by src/report's vega-lite renderer. Lines that
 * coincide (the Kafka lines of replication cost do) are told apart by dash
 * and point shape.
 */
import type { TopLevelSpec } from "vega-lite";
import type { RenderedChart } from "../../src/report/rendered-chart.js";
import { CHART_HEIGHT, CHART_WIDTH, renderVegaLite, SERIES_COLORS } from "../../src/report/render-svg.js";
import type { DesignResult, ReportedPoint } from "./design.js";

interface ChartRow {
  n: number;
  value: number;
  design: string;
}

const DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3]];
const SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"];

function pick<T>(list: readonly T[], k: number): T {
  return list[k % list.length]!;
}

/** The next 1, 2 or 5 × 10^k at or above `value`, so the y axis ends on a round tick above the highest point. */
export function roundUp(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function linesSpec(title: string, yTitle: string, rows: ChartRow[], designs: readonly DesignResult[], brokerCounts: readonly number[], isLog = false): TopLevelSpec {
  const labels = designs.map((design) => design.label);
  const top = roundUp(1.05 * Math.max(0, ...rows.map((row) => row.value)));
  // Throughputs span two orders of magnitude (one queue vs a cluster of partitions): a log axis keeps every line readable.
  const low = isLog ? 10 ** Math.floor(Math.log10(Math.max(1e-9, Math.min(...rows.map((row) => row.value))))) : 0;
  return {
    title,
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: rows },
    encoding: {
      x: { field: "n", type: "quantitative", title: "brokers N", scale: { domain: [Math.min(...brokerCounts), Math.max(...brokerCounts)], nice: false }, axis: { values: [...brokerCounts], format: "d" } },
      y: { field: "value", type: "quantitative", title: yTitle, scale: isLog ? { type: "log", domain: [low, top], nice: false } : { domain: [0, top], nice: false } },
      color: { field: "design", type: "nominal", title: null, sort: labels, scale: { domain: labels, range: labels.map((_, k) => pick(SERIES_COLORS, k)) }, legend: { orient: "bottom", columns: 2, labelLimit: 400 } },
      strokeDash: { field: "design", type: "nominal", sort: labels, scale: { domain: labels, range: labels.map((_, k) => pick(DASHES, k)) }, legend: null },
      shape: { field: "design", type: "nominal", sort: labels, scale: { domain: labels, range: labels.map((_, k) => pick(SHAPES, k)) }, legend: null },
    },
    layer: [{ mark: { type: "line" } }, { mark: { type: "point", filled: true, size: 70 } }],
  } as TopLevelSpec;
}

function rowsOf(designs: readonly DesignResult[], value: (point: ReportedPoint) => number): ChartRow[] {
  return designs.flatMap((design) => design.points.map((point) => ({ n: point.brokers, value: value(point), design: design.label })));
}

/** The two charts, rendered one after another: vega's id counters are process-wide, and a fixed order keeps every byte the same (src/report/run-charts.ts). */
export async function renderScalingCharts(designs: readonly DesignResult[], brokerCounts: readonly number[]): Promise<RenderedChart[]> {
  const specs = [
    {
      name: "replication-bytes-per-byte",
      title: "Replication bytes per produced byte (wire bytes between brokers ÷ acknowledged payload)",
      spec: linesSpec(
        "Replication bytes per produced byte",
        "wire bytes per payload byte",
        rowsOf(designs, (point) => point.replication.replicationWireBytes / point.replication.ackedPayloadBytes),
        designs,
        brokerCounts,
      ),
    },
    {
      name: "max-throughput",
      title: "Maximum acknowledged throughput (MB/s of payload, acks=all)",
      spec: linesSpec(
        "Maximum acknowledged throughput",
        "acknowledged payload (MB/s, log scale)",
        rowsOf(designs, (point) => point.maxThroughput.ackedBytesPerSec / 1e6),
        designs,
        brokerCounts,
        true,
      ),
    },
  ];
  const charts: RenderedChart[] = [];
  for (const { name, title, spec } of specs) charts.push({ name, title, file: `${name}.svg`, svg: await renderVegaLite(spec, name) });
  return charts;
}
