/**
 * A progress bar with an ETA on stderr for the commands that run longer than
 * a second (run, replay, check, tour; sweeps have their own, sweep-output.ts):
 * drawn by cli-progress, and only on a terminal, only once the work has
 * taken a second (a quick run shows nothing), never with --json or --quiet.
 * The bar is cleared before anything goes to stdout and when the work ends,
 * so what the command prints reads as if it had never been there.
 *
 * Simulations run synchronously, so the bar is redrawn from inside the work
 * (`update`), never from a timer; cli-progress throttles the redraws. The
 * ETA is the elapsed wall time scaled by what is left: elapsed × (1 − f) / f.
 */
import cliProgress from "cli-progress";
import type { RunProgress } from "../run/run-sequence.js";

export interface Progress {
  /** `fraction` of the work done (0..1), and what it is doing now. */
  update(fraction: number, status: string): void;
  /** Writes `text` to stdout with the bar out of the way (it comes back at the next update). */
  print(text: string): void;
  /** Clears the bar for good (before the command prints its results). */
  stop(): void;
}

export interface ProgressOptions {
  /** --json or --quiet: nothing on stderr. */
  isSilent: boolean;
  stream?: NodeJS.WriteStream;
  /** Wall-clock milliseconds (performance.now by default). */
  clockMs?: () => number;
  /** The bar appears once the work has taken this long. */
  showAfterMs?: number;
}

const SCALE = 1000;
export const SHOW_AFTER_MS = 1000;

export const SILENT_PROGRESS: Progress = {
  update() {},
  print(text) {
    process.stdout.write(text);
  },
  stop() {},
};

export function progressBar(task: string, options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.isSilent || stream.isTTY !== true) return SILENT_PROGRESS;
  const clockMs = options.clockMs ?? (() => performance.now());
  const startedMs = clockMs();
  const showAfterMs = options.showAfterMs ?? SHOW_AFTER_MS;
  let bar: cliProgress.SingleBar | null = null;
  let isStopped = false;
  const hide = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    update(fraction, status) {
      const elapsedMs = clockMs() - startedMs;
      if (isStopped || elapsedMs < showAfterMs) return;
      const done = Math.min(1, Math.max(0, fraction));
      const payload = { status, elapsed: formatSeconds(elapsedMs), left: done <= 0 ? "?" : formatSeconds((elapsedMs * (1 - done)) / done) };
      const value = Math.round(done * SCALE);
      if (bar === null) {
        bar = new cliProgress.SingleBar({ stream, format: `${task} |{bar}| {percentage}% | {elapsed} elapsed, ~{left} left | {status}`, hideCursor: true, clearOnComplete: true, fps: 10 }, cliProgress.Presets.shades_classic);
        bar.start(SCALE, value, payload);
      } else {
        bar.update(value, payload);
      }
    },
    print(text) {
      hide();
      process.stdout.write(text);
    },
    stop() {
      hide();
      isStopped = true;
    },
  };
}

/** "12 s", "3 m 05 s": an ETA needs no more precision. */
export function formatSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} m`;
}

/**
 * A run's progress as a fraction: the fault phase is most of the work (90%),
 * convergence the rest (it usually ends well before its deadline).
 */
export function runFraction(progress: RunProgress, faultPhaseShare = 0.9): number {
  if (progress.phase === "faults") return (faultPhaseShare * progress.nowNs) / Math.max(1, progress.untilNs);
  return faultPhaseShare + ((1 - faultPhaseShare) * progress.nowNs) / Math.max(1, progress.untilNs);
}

export function runStatus(progress: RunProgress): string {
  const at = `${(progress.nowNs / 1e9).toFixed(1)} s`;
  return progress.phase === "faults" ? `virtual ${at} of ${(progress.untilNs / 1e9).toFixed(1)} s` : `converging at virtual ${at}`;
}
