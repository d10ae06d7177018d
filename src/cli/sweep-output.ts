/**
 * What `mqsim sweep` and `mqsim merge` show: progress on stderr (a bar on a
 * terminal, nothing otherwise) and
 * the table of points on stdout (parameter values → throughput, produce p99,
 * verdict, bottleneck).
 */
import { formatDuration, formatRate } from "../report/format.js";
import { parameterValue, type SweepSummary } from "../report/sweep-summary.js";
import { describePoint } from "../sweep/grid.js";
import type { SweepRecord } from "../sweep/results-file.js";
import { progressBar } from "./progress.js";

export interface SweepProgress {
  start(total: number, done: number): void;
  point(record: SweepRecord, done: number, total: number): void;
  /** Stops drawing (before anything else is printed). */
  stop(): void;
}

/**
 * The commands' one progress bar (progress.ts), at once rather than after a
 * second: a bar on a terminal, nothing otherwise (a CI log gets the table of
 * points at the end). Its share and time left count the points this run
 * runs, not those an earlier run left in the results file.
 */
export function sweepProgress(stream: NodeJS.WriteStream = process.stderr): SweepProgress {
  const bar = progressBar("sweep", { isSilent: false, stream, showAfterMs: 0 });
  let reused = 0;
  return {
    start(total, done) {
      reused = done;
      bar.update(0, done > 0 ? `${done} of ${total} points from an earlier run` : `${total} points`);
    },
    point(record, done, total) {
      bar.update((done - reused) / Math.max(1, total - reused), `${done}/${total} points | ${describePoint(record.point.parameters)}: ${record.point.verdict}`);
    },
    stop() {
      bar.stop();
    },
  };
}

/** The table of points as aligned text columns. */
export function renderSweepTable(sweep: SweepSummary): string {
  const header = ["#", ...sweep.parameters, "acked/s", "produce p99", "verdict", "bottleneck"];
  const rows = sweep.points.map((point, k) => [
    String(k + 1),
    ...sweep.parameters.map((name) => {
      const value = parameterValue(point, name);
      return value === undefined ? "" : String(value);
    }),
    formatRate(point.metrics.ackedPerSec),
    formatDuration(point.metrics.produceP99Ns),
    point.verdict,
    point.bottleneck ?? "",
  ]);
  const numeric = new Set([0, sweep.parameters.length + 1, sweep.parameters.length + 2]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n")}\n`;
}
