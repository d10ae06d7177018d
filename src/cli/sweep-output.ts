/**
 * What `mqsim sweep` and `mqsim merge` show: progress on stderr (a bar on a
 * terminal, nothing otherwise) and
 * the table of points on stdout (parameter values → throughput, produce p99,
 * verdict, bottleneck).
 */
import cliProgress from "cli-progress";
import { formatDuration, formatRate } from "../report/format.js";
import { parameterValue, type SweepSummary } from "../report/sweep-summary.js";
import { describePoint } from "../sweep/grid.js";
import type { SweepRecord } from "../sweep/results-file.js";

export interface SweepProgress {
  start(total: number, done: number): void;
  point(record: SweepRecord, done: number, total: number): void;
  /** Stops drawing (before anything else is printed). */
  stop(): void;
}

/** A bar on a terminal; nothing otherwise (a CI log gets the table of points at the end, as every command's progress is silent off a terminal). */
export function sweepProgress(stream: NodeJS.WriteStream = process.stderr): SweepProgress {
  return stream.isTTY === true ? barProgress(stream) : SILENT_SWEEP_PROGRESS;
}

const SILENT_SWEEP_PROGRESS: SweepProgress = { start() {}, point() {}, stop() {} };

function barProgress(stream: NodeJS.WriteStream): SweepProgress {
  const bar = new cliProgress.SingleBar(
    { stream, format: "sweep |{bar}| {value}/{total} points | {duration_formatted} elapsed, {eta_formatted} left | {last}", hideCursor: true, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  let running = false;
  return {
    start(total, done) {
      bar.start(total, done, { last: done > 0 ? `${done} from an earlier run` : "" });
      running = true;
    },
    point(record, done) {
      bar.update(done, { last: `${describePoint(record.point.parameters)}: ${record.point.verdict}` });
    },
    stop() {
      if (running) bar.stop();
      running = false;
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
