/** The sweep's chart: acknowledged throughput against partitions (queues), one line per system and disk profile, log-scaled partitions. */
import type { TopLevelSpec } from "vega-lite";
import type { RenderedChart } from "../../src/report/rendered-chart.js";
import { CHART_HEIGHT, CHART_WIDTH, renderVegaLite, SERIES_COLORS } from "../../src/report/render-svg.js";
import { roundUp } from "../scaling/charts.js";
import type { SweepPoint } from "./measure.js";

export async function renderSweepChart(points: readonly SweepPoint[], partitionCounts: readonly number[]): Promise<RenderedChart> {
  const rows = points.map((point) => ({ partitions: point.partitions, value: point.ackedBytesPerSec / 1e6, series: seriesOf(point) }));
  const series = [...new Set(rows.map((row) => row.series))];
  const top = roundUp(1.05 * Math.max(0, ...rows.map((row) => row.value)));
  const spec = {
    title: "Acknowledged throughput of one broker vs partitions (queues) on its disk (1 KiB, no replication)",
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: rows },
    encoding: {
      x: {
        field: "partitions",
        type: "quantitative",
        title: "Kafka partitions (one log file each) / RocketMQ queues (one consume queue each), log scale",
        scale: { type: "log", domain: [Math.min(...partitionCounts), Math.max(...partitionCounts)], nice: false },
        axis: { values: [...partitionCounts], format: "d" },
      },
      y: { field: "value", type: "quantitative", title: "acknowledged payload (MB/s)", scale: { domain: [0, top], nice: false } },
      color: { field: "series", type: "nominal", title: null, sort: series, scale: { domain: series, range: series.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]!) }, legend: { orient: "bottom" } },
    },
    layer: [{ mark: { type: "line" } }, { mark: { type: "point", filled: true, size: 70 } }],
  } as TopLevelSpec;
  const name = "acked-throughput";
  return { name, title: "Acknowledged throughput vs partitions", file: `${name}.svg`, svg: await renderVegaLite(spec, name) };
}

function seriesOf(point: SweepPoint): string {
  return `${point.system === "kafka" ? "Kafka" : "RocketMQ"}, ${point.disk}`;
}
