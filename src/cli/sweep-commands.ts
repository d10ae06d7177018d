/**
 * `mqsim sweep` and `mqsim merge`. A sweep plans and checks every point
 * before running any (bad input exits 2), then runs the points into
 * <out>/points.jsonl (or its shard's file), resuming what an interrupted run
 * left, prints the table and writes the sweep report. SIGINT stops
 * dispatching and exits 130 once the points in flight are dropped (a second
 * SIGINT exits at once); every point already finished is on disk, and the
 * same command finishes the rest.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { writeSweepReport } from "../report/write-sweep-report.js";
import { parseSetFlag, type SetFlag } from "../sweep/grid.js";
import { mergeResults, summaryFromRecords } from "../sweep/merge.js";
import { planSweep, type SweepPlan } from "../sweep/plan.js";
import { readResultsFile } from "../sweep/results-file.js";
import { runSweep, SweepPointError, SweepResultsMismatch, type SweepRunResult } from "../sweep/run-sweep.js";
import { pointFolderName } from "../sweep/run-point.js";
import type { SweepSummary } from "../report/sweep-summary.js";
import { isResultsFileName, parseShard, resultsFileName, type Shard } from "../sweep/shard.js";
import { compareStrings } from "../kernel/order.js";
import { EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, EXIT_SIMULATOR_BUG } from "./exit-codes.js";
import { loadScenarioSource } from "./scenario-source.js";
import { terminalSafe } from "./terminal-text.js";
import { outputFolderProblem } from "./output-paths.js";
import { threadsFor } from "./worker-threads.js";
import { lockResults } from "./results-lock.js";
import { budgetOverrides, type BudgetFlags } from "./scenario-commands.js";
import { renderSweepTable, sweepProgress } from "./sweep-output.js";

/** Where a sweep's folder keeps one run report per point (points/p1, points/p2, …). */
const POINTS_FOLDER = "points";

export interface SweepFlags extends BudgetFlags {
  set: string[];
  workers?: number;
  /** More threads than cores. */
  oversubscribe?: boolean;
  out?: string;
  shard?: string;
  seed?: number;
  /** false with --no-point-reports: no run report per point. */
  pointReports?: boolean;
}

export async function sweepCommand(source: string, flags: SweepFlags): Promise<number> {
  const loaded = loadScenarioSource(source, budgetOverrides(flags));
  if (!loaded.ok) return badInput(loaded.message);
  const sets: SetFlag[] = [];
  for (const text of flags.set) {
    const parsed = parseSetFlag(text);
    if (!parsed.ok) return badInput(parsed.message);
    sets.push(parsed.value);
  }
  let shard: Shard | undefined;
  if (flags.shard !== undefined) {
    const parsed = parseShard(flags.shard);
    if (!parsed.ok) return badInput(parsed.message);
    shard = parsed.shard;
  }
  const planned = planSweep(loaded.document, { sets, ...(flags.seed === undefined ? {} : { seed: flags.seed }) });
  if (!planned.ok) return badInput(`${source}: ${planned.message}`);
  const plan = planned.plan;
  const out = flags.out ?? join("reports", "sweeps", plan.scenario);
  const outProblem = outputFolderProblem("--out", out, { report: false });
  if (outProblem !== null) return badInput(outProblem);
  const resultsFile = join(out, resultsFileName(shard));
  const { threads: workers, note } = threadsFor(flags.workers ?? Math.max(1, availableParallelism()), flags);
  if (note !== null) process.stderr.write(`mqsim: ${note}\n`);

  mkdirSync(out, { recursive: true });
  const lock = lockResults(resultsFile);
  if (!lock.ok) return badInput(lock.message);
  try {
    return await runLocked(plan, { shard, out, resultsFile, workers, pointReports: flags.pointReports !== false });
  } finally {
    lock.release();
  }
}

async function runLocked(plan: SweepPlan, context: { shard: Shard | undefined; out: string; resultsFile: string; workers: number; pointReports: boolean }): Promise<number> {
  const { shard, out, resultsFile, workers } = context;
  const progress = sweepProgress();
  const controller = new AbortController();
  const onSigint = (): void => {
    // A second Ctrl-C does not wait for the workers to be stopped.
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
    progress.stop();
    process.stderr.write("\nmqsim: interrupted; stopping (points not yet saved run next time)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const startedMs = performance.now();
  let result: SweepRunResult;
  try {
    result = await runSweep(plan, {
      resultsFile,
      shard,
      workers,
      signal: controller.signal,
      yieldToHost: () => new Promise<void>((resolve) => setImmediate(resolve)),
      onResume: (resume) => {
        const slice = shard === undefined ? "" : ` (shard ${shard.index}/${shard.count} of ${plan.points.length})`;
        const threads = Math.min(workers, resume.todo) <= 1 ? "in process" : `${Math.min(workers, resume.todo)} worker threads`;
        process.stderr.write(terminalSafe(`sweep ${plan.scenario}: ${resume.total} points${slice}, ${resume.todo} to run, ${threads}; results in ${resultsFile}\n`));
        if (resume.dropped > 0) process.stderr.write(terminalSafe(`dropped ${resume.dropped} line${resume.dropped === 1 ? "" : "s"} of ${resultsFile} that no point of this sweep needs (other grids, repeats, a cut-off write)\n`));
        progress.start(resume.total, resume.reused);
      },
      onPoint: (record, done, total) => progress.point(record, done, total),
      ...(context.pointReports ? { pointReportsDir: join(out, POINTS_FOLDER) } : {}),
    });
  } catch (error) {
    progress.stop();
    if (error instanceof SweepResultsMismatch) return badInput(error.message);
    if (error instanceof SweepPointError) {
      process.stderr.write(terminalSafe(`mqsim: simulator bug (please report with the command line): ${error.message}\n`));
      return EXIT_SIMULATOR_BUG;
    }
    throw error;
  } finally {
    process.off("SIGINT", onSigint);
  }
  progress.stop();
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  if (result.interrupted) {
    process.stderr.write(terminalSafe(`mqsim: ${result.records.length} of ${result.resume.total} points saved in ${resultsFile}; run the same command again to finish the rest\n`));
    return EXIT_INTERRUPTED;
  }
  const summary = withPointReports(summaryFromRecords(result.records), result.records.map((record) => ({ index: record.index, dir: out })), out);
  process.stdout.write(renderSweepTable(summary));
  if (shard !== undefined) {
    process.stdout.write(`shard ${shard.index}/${shard.count}: ${result.records.length} points in ${resultsFile} (${seconds} s); when every shard is done: mqsim merge <their files or folders> --out <dir>\n`);
    return EXIT_OK;
  }
  const files = await writeSweepReport(out, summary);
  process.stdout.write(`${summary.points.length} points in ${seconds} s; report: ${files.length} files in ${out} (open ${join(out, "sweep.html")})\n`);
  return EXIT_OK;
}

export async function mergeCommand(inputs: readonly string[], flags: { out: string }): Promise<number> {
  const outProblem = outputFolderProblem("--out", flags.out, { report: false });
  if (outProblem !== null) return badInput(outProblem);
  const files: string[] = [];
  for (const input of inputs) {
    if (!existsSync(input)) return badInput(`${input}: no such file or folder`);
    if (statSync(input).isDirectory()) {
      const found = readdirSync(input).filter(isResultsFileName).sort(compareStrings);
      if (found.length === 0) return badInput(`${input}: no sweep results (points.jsonl or points.shard-i-of-n.jsonl) in this folder`);
      files.push(...found.map((name) => join(input, name)));
    } else {
      files.push(input);
    }
  }
  const merged = mergeResults(files.map((file) => ({ file, read: readResultsFile(file) })));
  if (!merged.ok) return badInput(merged.message);
  if (merged.damaged > 0) process.stderr.write(`mqsim: ignored ${merged.damaged} damaged or cut-off line${merged.damaged === 1 ? "" : "s"}\n`);
  const sources = files.flatMap((file) => readResultsFile(file).records.map((record) => ({ index: record.index, dir: dirname(file) })));
  const summary = withPointReports(merged.summary, sources, flags.out);
  process.stdout.write(renderSweepTable(summary));
  const written = await writeSweepReport(flags.out, summary);
  process.stdout.write(`merged ${merged.summary.points.length} points from ${files.length} file${files.length === 1 ? "" : "s"}; report: ${written.length} files in ${flags.out} (open ${join(flags.out, "sweep.html")})\n`);
  return EXIT_OK;
}

/**
 * Each point's run report, where a sweep (or a shard of it) wrote one under
 * its folder's points/: links relative to the report folder `out`. The
 * summary's points are in grid order, as summaryFromRecords sorts them.
 */
function withPointReports(summary: SweepSummary, sources: readonly { index: number; dir: string }[], out: string): SweepSummary {
  const reportOf = new Map<number, string>();
  for (const { index, dir } of sources) {
    const path = join(dir, POINTS_FOLDER, pointFolderName(index), "report.html");
    if (!reportOf.has(index) && existsSync(path)) reportOf.set(index, relative(resolve(out), resolve(path)).split(sep).join("/"));
  }
  const indexes = [...new Set(sources.map((source) => source.index))].sort((a, b) => a - b);
  return { ...summary, points: summary.points.map((point, k) => (reportOf.has(indexes[k]!) ? { ...point, report: reportOf.get(indexes[k]!) } : point)) };
}

function badInput(message: string): number {
  process.stderr.write(terminalSafe(`mqsim: ${message}\n`));
  return EXIT_BAD_INPUT;
}
