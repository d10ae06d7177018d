/**
 * How each sweep metric is labelled and shown: one table shared by the sweep
 * charts and the sweep tables, so an axis title and a column header never
 * disagree about units.
 */
import { NS_PER_MS } from "../kernel/time.js";
import { formatBytesPerSec, formatDuration, formatRate, formatSecondsValue } from "./format.js";
import type { SweepMetric } from "./sweep-summary.js";

export interface SweepMetricInfo {
  /** Column header and axis title. */
  label: string;
  /** Converts the stored value to the unit the axis shows (ns → ms). */
  toAxis: (value: number) => number;
  /** Table cell text. */
  format: (value: number) => string;
}

const nsToMs = (ns: number): number => ns / NS_PER_MS;

export const SWEEP_METRICS: Readonly<Record<SweepMetric, SweepMetricInfo>> = {
  ackedPerSec: { label: "acked messages/s", toAxis: (v) => v, format: formatRate },
  ackedBytesPerSec: { label: "acked bytes/s", toAxis: (v) => v, format: formatBytesPerSec },
  produceP50Ns: { label: "produce p50 (ms)", toAxis: nsToMs, format: formatDuration },
  produceP99Ns: { label: "produce p99 (ms)", toAxis: nsToMs, format: formatDuration },
  produceP999Ns: { label: "produce p99.9 (ms)", toAxis: nsToMs, format: formatDuration },
  endToEndP99Ns: { label: "end-to-end p99 (ms)", toAxis: nsToMs, format: formatDuration },
  unavailableSendSeconds: { label: "send unavailability (s)", toAxis: (v) => v, format: formatSecondsValue },
};
