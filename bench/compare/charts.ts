/** The comparison's charts: single-node peak throughput (bars, log scale), the queue sweep on hdd (lines), latency at a moderate load (bars). */
import type { TopLevelSpec } from "vega-lite";
import type { RenderedChart } from "../../src/report/rendered-chart.js";
import { CHART_HEIGHT, CHART_WIDTH, renderVegaLite, SERIES_COLORS } from "../../src/report/render-svg.js";
import type { ComparePoint } from "./measure.js";
import { SYSTEM_LABELS } from "./settings.js";

function colorScale(series: readonly string[]) {
  return { domain: [...series], range: series.map((_, k) => SERIES_COLORS[k % SERIES_COLORS.length]!) };
}

async function rendered(spec: TopLevelSpec, name: string, title: string): Promise<RenderedChart> {
  return { name, title, file: `${name}.svg`, svg: await renderVegaLite(spec, name) };
}

/** Acknowledged msg/s per system, one bar per disk and message size, one node. */
export async function peakChart(points: readonly ComparePoint[]): Promise<RenderedChart> {
  const rows = points.filter((point) => point.nodes === 1).map((point) => ({ system: SYSTEM_LABELS[point.system], series: `${point.disk}, ${point.messageBytes} B`, value: Math.max(1, point.ackedMessagesPerSec) }));
  const series = [...new Set(rows.map((row) => row.series))];
  const spec = {
    title: "Peak acknowledged throughput, one node, producers and consumers together (log scale)",
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: rows },
    mark: { type: "bar" },
    encoding: {
      x: { field: "system", type: "nominal", title: null, sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: "series", sort: series },
      y: { field: "value", type: "quantitative", title: "acknowledged msg/s", scale: { type: "log", domain: [10, 2_000_000] } },
      color: { field: "series", type: "nominal", title: null, sort: series, scale: colorScale(series), legend: { orient: "bottom" } },
    },
  } as TopLevelSpec;
  return rendered(spec, "peak-throughput", "Peak throughput, one node");
}

/** Acknowledged msg/s against queues (partitions) on one hdd node, one line per system. */
export async function sweepChart(points: readonly ComparePoint[], destinations: readonly number[]): Promise<RenderedChart> {
  const rows = points.map((point) => ({ destinations: point.destinations, value: Math.max(1, point.ackedMessagesPerSec), series: SYSTEM_LABELS[point.system] }));
  const series = [...new Set(rows.map((row) => row.series))];
  const spec = {
    title: "Acknowledged throughput vs topics' partitions / queues, one hdd node, 1 KiB, producers only",
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: rows },
    encoding: {
      x: {
        field: "destinations",
        type: "quantitative",
        title: "partitions (Kafka) / queues (RocketMQ, RabbitMQ, ActiveMQ), log scale",
        scale: { type: "log", domain: [Math.min(...destinations), Math.max(...destinations)], nice: false },
        axis: { values: [...destinations], format: "d" },
      },
      y: { field: "value", type: "quantitative", title: "acknowledged msg/s (log scale)", scale: { type: "log", domain: [10, 1_000_000] } },
      color: { field: "series", type: "nominal", title: null, sort: series, scale: colorScale(series), legend: { orient: "bottom", columns: 3 } },
    },
    layer: [{ mark: { type: "line" } }, { mark: { type: "point", filled: true, size: 60 } }],
  } as TopLevelSpec;
  return rendered(spec, "queues-sweep", "Throughput vs queues on hdd");
}

/** Send → acknowledgement and send → delivery, p50 and p99, at a moderate load on one nvme node. */
export async function latencyChart(points: readonly ComparePoint[]): Promise<RenderedChart> {
  const rows = points
    .filter((point) => point.nodes === 1 && point.disk === "nvme")
    .flatMap((point) => [
      { system: SYSTEM_LABELS[point.system], series: "acknowledged, p50", value: (point.produceP50Ns ?? 0) / 1e6 },
      { system: SYSTEM_LABELS[point.system], series: "acknowledged, p99", value: (point.produceP99Ns ?? 0) / 1e6 },
      { system: SYSTEM_LABELS[point.system], series: "delivered, p50", value: (point.endToEndP50Ns ?? 0) / 1e6 },
      { system: SYSTEM_LABELS[point.system], series: "delivered, p99", value: (point.endToEndP99Ns ?? 0) / 1e6 },
    ]);
  const series = ["acknowledged, p50", "acknowledged, p99", "delivered, p50", "delivered, p99"];
  const spec = {
    title: "Latency at a moderate load (2,000 msg/s of 1 KiB), one nvme node (log scale)",
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    data: { values: rows.map((row) => ({ ...row, value: Math.max(0.01, row.value) })) },
    mark: { type: "bar" },
    encoding: {
      x: { field: "system", type: "nominal", title: null, sort: null, axis: { labelAngle: 0 } },
      xOffset: { field: "series", sort: series },
      y: { field: "value", type: "quantitative", title: "ms after the send (log scale)", scale: { type: "log" } },
      color: { field: "series", type: "nominal", title: null, sort: series, scale: colorScale(series), legend: { orient: "bottom" } },
    },
  } as TopLevelSpec;
  return rendered(spec, "latency", "Latency at a moderate load");
}
