/**
 * Runs a planned sweep (or one shard of it) into its results file: reads what
 * an earlier, interrupted run finished, runs the rest (in worker threads, or
 * in process for one worker or one point), appends each point as it finishes,
 * and stops dispatching when its signal aborts. Library code: no terminal, no
 * process signals, no clocks; the CLI brings those.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Tinypool from "tinypool";
import type { SweepPoint } from "../report/sweep-summary.js";
import { describePoint } from "./grid.js";
import type { PlannedPoint, SweepPlan } from "./plan.js";
import { readResultsFile, rewriteResultsFile, ResultsAppender, RECORD_VERSION, type ResultsRead, type SweepRecord } from "./results-file.js";
import { pointFolderName, runSweepPointWithReport, type PointTask } from "./run-point.js";
import { inShard, type Shard } from "./shard.js";
import { WORKER_YOUNG_GENERATION_MB } from "./young-generation.js";

export interface ResumeInfo {
  /** Points of this run already in the results file. */
  reused: number;
  /** Lines dropped from the file: other grids' points, repeats, damaged or truncated lines. */
  dropped: number;
  /** Points left to run. */
  todo: number;
  /** Points of this run (the shard's, or the whole grid's). */
  total: number;
}

export interface SweepRunOptions {
  resultsFile: string;
  shard?: Shard | undefined;
  /** Worker threads; 1 runs every point in this thread. */
  workers: number;
  /** Aborting stops dispatching; points not yet saved are run again next time. */
  signal?: AbortSignal | undefined;
  /** Awaited between in-process points, so the host can notice a signal (the CLI passes a setImmediate). */
  yieldToHost?: (() => Promise<void>) | undefined;
  onResume?: ((info: ResumeInfo) => void) | undefined;
  onPoint?: ((record: SweepRecord, done: number, total: number) => void) | undefined;
  /** Where each point writes its own run report (a folder per point, pointFolderName), if anywhere. */
  pointReportsDir?: string | undefined;
}

export interface SweepRunResult {
  /** This run's finished points (reused and new), in grid order. */
  records: SweepRecord[];
  interrupted: boolean;
  resume: ResumeInfo;
}

/** A point whose run threw: a simulator bug, reported with the point that found it. */
export class SweepPointError extends Error {
  constructor(
    readonly point: PlannedPoint,
    readonly causeMessage: string,
  ) {
    super(`sweep point ${point.index + 1} (${describePoint(point.parameters)}, seed ${point.seed}) failed: ${causeMessage}`);
  }
}

/** A results file that belongs to another sweep: bad input, not something to overwrite. */
export class SweepResultsMismatch extends Error {}

export async function runSweep(plan: SweepPlan, options: SweepRunOptions): Promise<SweepRunResult> {
  const mine = plan.points.filter((point) => inShard(point.index, options.shard));
  const resumed = resumeFrom(readResultsFile(options.resultsFile), plan, mine, options.resultsFile);
  const done = resumed.done;
  const todo = mine.filter((point) => !done.has(point.key));
  const resume: ResumeInfo = { reused: done.size, dropped: resumed.dropped, todo: todo.length, total: mine.length };
  mkdirSync(dirname(options.resultsFile), { recursive: true });
  if (resumed.rewrite) rewriteResultsFile(options.resultsFile, [...done.values()].sort((a, b) => a.index - b.index));
  options.onResume?.(resume);
  const appender = new ResultsAppender(options.resultsFile);
  const finish = (point: PlannedPoint, result: SweepPoint): void => {
    const record = recordOf(plan, point, result);
    appender.append(record);
    done.set(point.key, record);
    options.onPoint?.(record, done.size, mine.length);
  };
  let interrupted: boolean;
  try {
    interrupted = options.workers <= 1 || todo.length <= 1 ? await runInProcess(plan, todo, finish, options) : await runInPool(plan, todo, finish, options);
  } finally {
    appender.close();
  }
  const records = mine.map((point) => done.get(point.key)).filter((record): record is SweepRecord => record !== undefined);
  return { records, interrupted: interrupted && records.length < mine.length, resume };
}

function taskOf(plan: SweepPlan, point: PlannedPoint, options: SweepRunOptions): PointTask {
  const task: PointTask = { document: plan.document, parameters: point.parameters, seed: point.seed };
  if (options.pointReportsDir !== undefined) task.reportDir = join(options.pointReportsDir, pointFolderName(point.index));
  return task;
}

async function runInProcess(plan: SweepPlan, todo: readonly PlannedPoint[], finish: (point: PlannedPoint, result: SweepPoint) => void, options: SweepRunOptions): Promise<boolean> {
  for (const point of todo) {
    if (options.signal?.aborted === true) return true;
    let result: SweepPoint;
    try {
      result = await runSweepPointWithReport(taskOf(plan, point, options));
    } catch (error) {
      throw new SweepPointError(point, error instanceof Error ? error.message : String(error));
    }
    finish(point, result);
    await options.yieldToHost?.();
  }
  return options.signal?.aborted === true;
}

/**
 * Keeps at most `workers` points in flight and dispatches the next, in grid
 * order, as one finishes. On abort (or a failing point) the pool is destroyed
 * at once: points in flight are not saved and run again next time.
 */
async function runInPool(plan: SweepPlan, todo: readonly PlannedPoint[], finish: (point: PlannedPoint, result: SweepPoint) => void, options: SweepRunOptions): Promise<boolean> {
  const threads = Math.min(options.workers, todo.length);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted === true) stop.abort();
  const pool = new Tinypool({ ...workerEntry(), minThreads: threads, maxThreads: threads });
  let next = 0;
  let failure: SweepPointError | undefined;
  const lane = async (): Promise<void> => {
    while (next < todo.length && !stop.signal.aborted) {
      const point = todo[next]!;
      next += 1;
      let result: SweepPoint;
      try {
        result = (await pool.run(taskOf(plan, point, options), { signal: stop.signal })) as SweepPoint;
      } catch (error) {
        if (stop.signal.aborted && failure === undefined) return;
        failure ??= new SweepPointError(point, error instanceof Error ? error.message : String(error));
        stop.abort();
        return;
      }
      // Saved even after an abort: it is finished, so the next run need not redo it.
      finish(point, result);
    }
  };
  try {
    await Promise.all(Array.from({ length: threads }, lane));
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    await pool.destroy();
  }
  if (failure !== undefined) throw failure;
  return stop.signal.aborted;
}

/**
 * The worker's module: the built JavaScript next to this file, or, when this
 * file is TypeScript run through tsx or vitest, a bootstrap that loads the
 * TypeScript worker through tsx (see ts-worker-bootstrap.mjs).
 */
export function workerEntry(): { filename: string; execArgv: string[]; resourceLimits: { maxYoungGenerationSizeMb: number } } {
  const fromSources = import.meta.url.endsWith(".ts");
  return {
    filename: new URL(fromSources ? "./ts-worker-bootstrap.mjs" : "./sweep-worker.js", import.meta.url).href,
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  };
}

/** A finished point as its results line holds it (through JSON, so memory and file agree exactly). */
function recordOf(plan: SweepPlan, point: PlannedPoint, result: SweepPoint): SweepRecord {
  const record: SweepRecord = {
    v: RECORD_VERSION,
    scenarioId: plan.scenarioId,
    gridId: plan.gridId,
    scenario: plan.scenario,
    system: plan.system,
    parameters: plan.parameters.map((parameter) => parameter.name),
    index: point.index,
    of: plan.points.length,
    key: point.key,
    point: result,
  };
  return JSON.parse(JSON.stringify(record)) as SweepRecord;
}

interface Resumed {
  done: Map<string, SweepRecord>;
  dropped: number;
  /** The file holds anything besides exactly `done` as current records: rewrite it. */
  rewrite: boolean;
}

/**
 * What an earlier run left: records of this sweep's points are kept (brought
 * up to date when the grid was listed differently), anything else is
 * dropped. A record of another scenario or base seed stops the run instead:
 * its points would run with other seeds, and mixing them would be wrong.
 */
export function resumeFrom(read: ResultsRead, plan: SweepPlan, mine: readonly PlannedPoint[], file: string): Resumed {
  const byKey = new Map(mine.map((point) => [point.key, point]));
  const done = new Map<string, SweepRecord>();
  let dropped = read.damagedLines + (read.truncatedTail ? 1 : 0);
  let rewrite = dropped > 0;
  for (const record of read.records) {
    if (record.scenarioId !== plan.scenarioId) {
      throw new SweepResultsMismatch(
        `${file} holds results of another sweep (scenario ${JSON.stringify(record.scenario)} with a different document or base seed); use another --out, or delete the file to start over`,
      );
    }
    const point = byKey.get(record.key);
    // Not this run's point (another grid, another shard), a repeat, or a seed derived differently: drop it.
    if (point === undefined || done.has(record.key) || record.point.seed !== String(point.seed)) {
      dropped += 1;
      rewrite = true;
      continue;
    }
    const current = recordOf(plan, point, { ...record.point, parameters: point.parameters });
    if (JSON.stringify(current) !== JSON.stringify(record)) rewrite = true;
    done.set(record.key, current);
  }
  return { done, dropped, rewrite };
}
