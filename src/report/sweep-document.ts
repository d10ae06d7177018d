/**
 * What a sweep report says, as a ReportDocument: one row per point
 * (parameter values → throughput, latency, verdict, bottleneck) and the
 * sweep's line charts.
 */
import { formatCount } from "./format.js";
import type { Block, Cell, ReportDocument } from "./report-blocks.js";
import { SWEEP_METRICS } from "./sweep-metrics.js";
import { parameterValue, type SweepMetric, type SweepSummary } from "./sweep-summary.js";

const TABLE_METRICS: readonly SweepMetric[] = ["ackedPerSec", "produceP50Ns", "produceP99Ns", "endToEndP99Ns"];

function pointsTable(sweep: SweepSummary): Block {
  const metrics = TABLE_METRICS.filter((metric) => sweep.points.some((point) => point.metrics[metric] !== null));
  const hasBottleneck = sweep.points.some((point) => point.bottleneck !== undefined);
  const header = [...sweep.parameters, ...metrics.map((metric) => SWEEP_METRICS[metric].label.replace(/ \(.*\)$/, "")), "verdict"];
  if (hasBottleneck) header.push("bottleneck");
  header.push("seed");
  const hasReports = sweep.points.some((point) => point.report !== undefined);
  if (hasReports) header.push("run report");
  const rows = sweep.points.map((point): Cell[] => {
    const row: Cell[] = sweep.parameters.map((name) => {
      const value = parameterValue(point, name);
      return value === undefined ? "" : String(value);
    });
    for (const metric of metrics) {
      const value = point.metrics[metric];
      row.push(value === null ? "" : SWEEP_METRICS[metric].format(value));
    }
    row.push({ text: point.verdict, tone: point.verdict === "ok" ? "ok" : "bad" });
    if (hasBottleneck) row.push(point.bottleneck ?? "");
    row.push(point.seed);
    if (hasReports) row.push(point.report === undefined ? "" : { text: "report", href: point.report });
    return row;
  });
  const align = header.map((_, k) => (k >= sweep.parameters.length && k < sweep.parameters.length + metrics.length ? "right" : "left"));
  return { kind: "table", table: { header, rows, align } };
}

export function sweepDocument(sweep: SweepSummary): ReportDocument {
  const failed = sweep.points.filter((point) => point.verdict !== "ok").length;
  const pointsBlocks: Block[] = sweep.points.length === 0 ? [{ kind: "paragraph", text: "The sweep has no points." }] : [pointsTable(sweep)];
  return {
    header: {
      title: `Sweep report: ${sweep.scenario}`,
      facts: [
        { label: "scenario", value: sweep.scenario },
        { label: "system", value: sweep.system },
        { label: "parameters", value: sweep.parameters.length === 0 ? "none" : sweep.parameters.join(", ") },
        { label: "points", value: formatCount(sweep.points.length) },
        { label: "points that failed a check", value: formatCount(failed), tone: failed === 0 ? "ok" : "bad" },
      ],
    },
    sections: [
      { id: "points", title: "Points", blocks: pointsBlocks },
      { id: "charts", title: "Charts", blocks: [{ kind: "charts" }] },
    ],
  };
}
