/**
 * The scenario commands: run, replay, check, list, show. Each returns its
 * exit code; problems with the input are printed as lines (exit 2), never
 * as stack traces.
 */
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runTrace } from "../scenario/run-trace.js";
import { stringify as toYaml } from "yaml";
import { describeCounterexample, type Counterexample } from "../faults/search.js";
import { parallelCheck } from "../sweep/parallel-check.js";
import { progressBar, runFraction, runStatus } from "./progress.js";
import { shellQuote } from "../report/escape.js";
import { writeRunReport } from "../report/write-run-report.js";
import { ReportFolderRefused } from "../report/write-report-folder.js";
import { describeWriteError, isFileSystemError, outputFileProblem, outputFolderProblem } from "./output-paths.js";
import { CHECK_FAULTS_MAX_DEFAULT, checkScenario } from "../scenario/check-scenario.js";
import { PRESETS, presetNamed } from "../scenario/presets.js";
import { humanizeScenario } from "../scenario/humanize.js";
import { runScenario, type ScenarioRun } from "../scenario/run-scenario.js";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_SAFETY_FAILED, exitCodeOfVerdict } from "./exit-codes.js";
import { renderRunSummary, renderRunVerdict } from "./render-run-summary.js";
import { loadScenarioSource } from "./scenario-source.js";
import { terminalSafe } from "./terminal-text.js";
import { canonical, DEFAULT_FAULT_KINDS, describeKinds, FAULT_KINDS, sameKinds, type FaultKind } from "../faults/fault-kinds.js";
import { threadsFor } from "./worker-threads.js";
import type { BudgetOverrides } from "../scenario/load.js";

/** --max-events and --max-memory: they replace the scenario's budgets.maxEvents and budgets.maxMemory. */
export interface BudgetFlags {
  maxEvents?: number;
  maxMemory?: number;
}

export function budgetOverrides(flags: BudgetFlags): BudgetOverrides {
  return { ...(flags.maxEvents === undefined ? {} : { maxEvents: flags.maxEvents }), ...(flags.maxMemory === undefined ? {} : { maxMemory: flags.maxMemory }) };
}

export interface RunFlags extends BudgetFlags {
  seed?: number;
  out?: string;
  trace?: string;
  json?: boolean;
  quiet?: boolean;
}

export async function runCommand(source: string, flags: RunFlags): Promise<number> {
  const loaded = loadScenarioSource(source, budgetOverrides(flags));
  if (!loaded.ok) return badInput(loaded.message);
  // Where the results go is checked before the run, not found wanting after it.
  const outputProblem = outputProblemOf(flags);
  if (outputProblem !== null) return badInput(outputProblem);
  const seed = flags.seed ?? loaded.scenario.seed;
  if (flags.json !== true && flags.quiet !== true) {
    process.stdout.write(`seed ${seed}\nexpanded scenario:\n${indent(toYaml(humanizeScenario({ ...loaded.scenario, seed })))}\n`);
  }
  const startedMs = performance.now();
  const progress = progressBar(`run ${loaded.scenario.name}`, { isSilent: flags.json === true || flags.quiet === true });
  const run = runScenario(loaded.scenario, seed, undefined, { onProgress: (at) => progress.update(runFraction(at), runStatus(at)) });
  progress.stop();
  return emitRun(run, source, flags, performance.now() - startedMs);
}

/** --out and --trace, checked before anything runs. */
function outputProblemOf(flags: Pick<RunFlags, "out" | "trace">): string | null {
  return (flags.out === undefined ? null : outputFolderProblem("--out", flags.out, { report: true })) ?? (flags.trace === undefined ? null : outputFileProblem("--trace", flags.trace));
}

/** Prints the run's summary (one JSON line with --json; nothing with `isSummaryShown` false), writes its trace and report folder as the flags ask; the exit code of its verdict. */
async function emitRun(run: ScenarioRun, source: string, flags: RunFlags, wallMs: number, isSummaryShown = true): Promise<number> {
  const { summary } = run;
  if (flags.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else if (flags.quiet === true) process.stdout.write(renderRunVerdict(summary, source));
  else if (isSummaryShown) process.stdout.write(renderRunSummary(summary, source, wallMs));
  try {
    const isChatty = flags.json !== true && flags.quiet !== true;
    if (flags.trace !== undefined) {
      writeFileAtomically(resolve(flags.trace), `${JSON.stringify(runTrace(run, summary.scenario))}\n`);
      if (isChatty) process.stdout.write(`trace: ${flags.trace} (open it in https://ui.perfetto.dev)\n`);
    }
    if (flags.out !== undefined) {
      const files = await writeRunReport(resolve(flags.out), summary);
      if (isChatty) process.stdout.write(`report: ${files.length} files in ${flags.out} (open ${flags.out}/report.html)\n`);
    }
  } catch (error) {
    // The folder was fine before the run; the disk filled or changed since.
    if (error instanceof ReportFolderRefused) return badInput(`--out ${flags.out}: ${error.message}`);
    if (isFileSystemError(error)) return badInput(`cannot write the ${flags.out === undefined ? "trace" : "results"} (${flags.trace ?? ""}${flags.trace !== undefined && flags.out !== undefined ? ", " : ""}${flags.out ?? ""}): ${describeWriteError(error)}; the run's verdict was ${summary.verdict}`);
    throw error;
  }
  return exitCodeOfVerdict(summary.verdict);
}

/** Writes `content` to `path` through a sibling partial file and a rename: a kill leaves the old file or the new one. */
function writeFileAtomically(path: string, content: string): void {
  const partial = `${path}.partial-${process.pid}`;
  try {
    writeFileSync(partial, content);
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

export interface CheckFlags extends BudgetFlags {
  runs: number;
  seed: number;
  path?: string;
  faultsMax: number;
  /** --faults: the kinds of fault to draw (default: what a preset is safe against, else crashes, pauses and partitions). */
  faults?: FaultKind[];
  /** --power-loss: power losses on top. */
  powerLoss?: boolean;
  /** Independent searches in worker threads (search seeds seed … seed+workers−1). */
  workers?: number;
  /** More threads than cores. */
  oversubscribe?: boolean;
  /** Where the counterexample's report folder goes (check: default reports/check/<scenario>), its trace, and --json (replay). */
  out?: string;
  trace?: string;
  json?: boolean;
  quiet?: boolean;
  /** mqsim replay --path: the counterexample's run is printed as mqsim run prints a run. */
  isReplay?: boolean;
}

/** Where check writes a counterexample's report when --out does not say. */
const CHECK_REPORTS_DIR = "reports/check";

/** The kinds a check of `source` draws: --faults, or what the preset claims to survive, plus --power-loss. */
function faultKindsFor(source: string, flags: CheckFlags): { kinds: FaultKind[]; defaults: readonly FaultKind[] } {
  const defaults = presetNamed(source)?.survives ?? DEFAULT_FAULT_KINDS;
  const chosen = flags.faults ?? [...defaults];
  return { kinds: canonical(flags.powerLoss === true ? [...chosen, "power-loss"] : chosen), defaults };
}

export async function checkCommand(source: string, flags: CheckFlags): Promise<number> {
  const loaded = loadScenarioSource(source, budgetOverrides(flags));
  if (!loaded.ok) return badInput(loaded.message);
  const output: RunFlags = { ...(flags.json === true ? { json: true } : {}), ...(flags.quiet === true ? { quiet: true } : {}), ...(flags.trace === undefined ? {} : { trace: flags.trace }) };
  const out = flags.out ?? (flags.isReplay === true ? undefined : join(CHECK_REPORTS_DIR, safeFolderName(loaded.scenario.name)));
  if (out !== undefined) output.out = out;
  const outputProblem = outputProblemOf(output);
  if (outputProblem !== null) return badInput(outputProblem);
  const { kinds, defaults } = faultKindsFor(source, flags);
  const startedMs = performance.now();
  const workers = flags.path === undefined ? (flags.workers ?? 1) : 1;
  const { found, runs } = await searchCounterexample(loaded, flags, kinds, workers);
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  const searchFlags = `${flags.faultsMax === CHECK_FAULTS_MAX_DEFAULT ? "" : ` --faults-max ${flags.faultsMax}`}${sameKinds(kinds, defaults) ? "" : ` --faults ${kinds.join(",")}`}`;
  if ((found === null || found.counterexample === null) && flags.path !== undefined) {
    // A path replays one point of one search: if nothing fails there, the path is not from this search.
    return badInput(`--path ${flags.path}: no counterexample there for search seed ${flags.seed} on ${source} (faults: ${kinds.join(",")}, --faults-max ${flags.faultsMax}); replay with the seed and flags the check printed`);
  }
  if (found === null || found.counterexample === null) {
    process.stdout.write(
      `no counterexample in ${runs} generated fault schedules of ${describeKinds(kinds)} (${seconds} s, search seed ${flags.seed}${workers > 1 ? ` to ${flags.seed + workers - 1}, ${workers} workers` : ""}): the safety checks held\n${notSearched(source, kinds)}`,
    );
    return EXIT_OK;
  }
  const replay = `npx mqsim replay ${shellQuote(source)} --seed ${found.searchSeed} --path ${found.searchPath}${searchFlags}`;
  if (output.json !== true && output.quiet !== true) {
    process.stdout.write(
      [
        `counterexample among ${describeKinds(kinds)}, after ${found.runsToFind} runs, shrunk in ${found.shrinks} steps (${seconds} s):`,
        describeCounterexample(found.counterexample),
        "",
        `replay: ${replay}`,
        "",
      ].join("\n"),
    );
  }
  // The counterexample's own run, as mqsim run shows one: its summary (replay), its report folder and trace.
  const replayStartedMs = performance.now();
  const run = runScenario(loaded.scenario, found.counterexample.seed, found.counterexample.faults);
  run.summary.replay = replay;
  const code = await emitRun(run, source, output, performance.now() - replayStartedMs, flags.isReplay === true);
  return code === EXIT_BAD_INPUT ? code : EXIT_SAFETY_FAILED;
}

interface SearchOutcome {
  found: { searchSeed: number; runsToFind: number; shrinks: number; searchPath: string | null; counterexample: Counterexample | null } | null;
  runs: number;
}

/** The search itself, in this thread or in `workers` worker threads, with its progress bar. */
async function searchCounterexample(loaded: Extract<ReturnType<typeof loadScenarioSource>, { ok: true }>, flags: CheckFlags, kinds: FaultKind[], workers: number): Promise<SearchOutcome> {
  const progress = progressBar(`check ${loaded.scenario.name}`, { isSilent: flags.json === true || flags.quiet === true });
  if (workers > 1) {
    const { threads, note } = threadsFor(workers, flags);
    if (note !== null) process.stderr.write(`mqsim: ${note}\n`);
    // The searches run in worker threads, so this thread is free to redraw the elapsed time while it waits.
    let shown = { fraction: 0, status: `${workers} searches running` };
    const redraw = setInterval(() => progress.update(shown.fraction, shown.status), 500);
    const parallel = await parallelCheck(loaded.document, {
      runs: flags.runs,
      searchSeed: flags.seed,
      faultsMax: flags.faultsMax,
      faultKinds: kinds,
      workers,
      threads,
      onSearchDone: (done, total) => (shown = { fraction: done / total, status: `${done} of ${total} searches done` }),
    }).finally(() => clearInterval(redraw));
    progress.stop();
    return { found: parallel.found, runs: parallel.runs };
  }
  const search = checkScenario(loaded.scenario, {
    runs: flags.runs,
    searchSeed: flags.seed,
    faultsMax: flags.faultsMax,
    faultKinds: kinds,
    ...(flags.path === undefined ? {} : { path: flags.path }),
    // Shrinking takes as many runs as it needs: its share of the bar is a guess, the status says what it does.
    onRun: (done, isShrinking) => progress.update(isShrinking ? 0.95 : done / Math.max(1, flags.runs), isShrinking ? `shrinking a counterexample (${done} runs)` : `${done} of ${flags.runs} fault schedules`),
  });
  progress.stop();
  return { found: search.found ? { ...search } : null, runs: search.runsToFind };
}

/** A scenario name as one folder name: what is not a letter, digit, dot, dash or underscore becomes a dash. */
function safeFolderName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^\.+/, "");
  return cleaned === "" ? "scenario" : cleaned;
}

/** For a preset safe against fewer kinds than all: what it is not safe against, and why, so a pass is read for what it is. */
function notSearched(source: string, kinds: readonly FaultKind[]): string {
  const preset = presetNamed(source);
  if (preset?.survives === undefined) return "";
  const missing = FAULT_KINDS.filter((kind) => !kinds.includes(kind));
  if (missing.length === 0) return "";
  return `(${source} claims to survive ${describeKinds(preset.survives)}; not searched: ${describeKinds(missing)}${preset.notSafeAgainst === undefined ? "" : ` — ${preset.notSafeAgainst}`}. --faults ${FAULT_KINDS.join(",")} searches them too.)\n`;
}

export function listCommand(): number {
  const width = Math.max(...PRESETS.map((preset) => preset.name.length));
  process.stdout.write("Built-in scenarios (mqsim run <name>, mqsim show <name>):\n");
  for (const preset of PRESETS) {
    const safeAgainst = preset.survives === undefined ? "" : `; safe against ${describeKinds(preset.survives)}`;
    process.stdout.write(`  ${preset.name.padEnd(width)}  ${preset.claim.padEnd(4)} ${preset.title} [expect: ${preset.expect}${safeAgainst}]\n`);
  }
  return EXIT_OK;
}

export function showCommand(name: string): number {
  const preset = presetNamed(name);
  if (preset === undefined) return badInput(`no preset ${JSON.stringify(name)}; presets: ${PRESETS.map((p) => p.name).join(", ")}`);
  process.stdout.write(toYaml(humanizeScenario(preset.document)));
  return EXIT_OK;
}

function badInput(message: string): number {
  process.stderr.write(terminalSafe(`mqsim: ${message}\n`));
  return EXIT_BAD_INPUT;
}

function indent(text: string): string {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
