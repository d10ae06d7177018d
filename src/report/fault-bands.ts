/**
 * The run's faults as grey bands behind a time chart, each labelled at the
 * top ("processCrash b1"), so a dip in throughput or a latency spike sits
 * visibly inside the fault that caused it. A chart over virtual time in
 * seconds passes its own unit spec and gets a layered spec back; without
 * faults the spec is returned unchanged.
 */
import type { TopLevelSpec } from "vega-lite";
import { faultIntervals } from "../faults/fault-intervals.js";
import { NS_PER_SEC } from "../kernel/time.js";
import type { RunSummary } from "./run-summary.js";

/** A time chart's own part: its data, mark and encoding (x in seconds of virtual time). */
export interface TimeChartLayer {
  data: { values: readonly object[] };
  mark: object;
  encoding: object;
}

export interface FaultBand {
  startSeconds: number;
  endSeconds: number;
  label: string;
}

const FAULT_BAND_COLOR = "#bbbbbb";

/** The summary's faults as bands in seconds (a fault with no duration gets a hairline of 0.2% of the run). */
export function faultBands(summary: RunSummary): FaultBand[] {
  const healAtNs = summary.workloadBusy.elapsedNs;
  const minimumSeconds = summary.virtualTimeNs / NS_PER_SEC / 500;
  return faultIntervals(summary.faults, healAtNs).map((fault) => {
    const startSeconds = fault.atNs / NS_PER_SEC;
    return { startSeconds, endSeconds: Math.max(fault.endNs / NS_PER_SEC, startSeconds + minimumSeconds), label: `${fault.verb} ${fault.target}` };
  });
}

/** Vega-Lite layers drawing the bands over the whole height, and (unless the chart labels faults itself) their labels along the top. */
export function faultBandLayers(bands: readonly FaultBand[], options: { isLabelled?: boolean } = {}): object[] {
  if (bands.length === 0) return [];
  const values = bands.map((band, k) => ({ ...band, row: k % 3 }));
  const rect = {
    data: { values },
    mark: { type: "rect", color: FAULT_BAND_COLOR, opacity: 0.25 },
    encoding: { x: { field: "startSeconds", type: "quantitative" }, x2: { field: "endSeconds" }, y: { value: 0 }, y2: { value: "height" } },
  };
  if (options.isLabelled === false) return [rect];
  // Labels stagger over three rows (a text layer each, offset by its own dy) so neighbouring faults do not print over each other.
  const labels = [0, 1, 2].map((row) => ({
    data: { values: values.filter((band) => band.row === row) },
    mark: { type: "text", align: "left", baseline: "top", dx: 2, dy: 2 + 12 * row, fontSize: 9, color: "#555" },
    encoding: { x: { field: "startSeconds", type: "quantitative" }, y: { value: 0 }, text: { field: "label", type: "nominal" } },
  }));
  return [rect, ...labels.filter((layer) => layer.data.values.length > 0)];
}

/** The chart with the run's faults behind it: one layered spec, the chart's own layer on top. */
export function withFaultBands(summary: RunSummary, frame: { title: string; width: number; height: number }, chart: TimeChartLayer): TopLevelSpec {
  const bands = faultBandLayers(faultBands(summary));
  if (bands.length === 0) return { ...frame, ...chart } as TopLevelSpec;
  return { ...frame, layer: [...bands, chart] } as TopLevelSpec;
}
