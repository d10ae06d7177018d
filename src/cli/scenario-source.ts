/**
 * `<file|preset>` on the command line → a validated scenario: a built-in
 * preset by name, or a YAML/JSON file. Problems come back as lines for the
 * user (exit 2), never as exceptions.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { getHeapStatistics } from "node:v8";
import { parse as parseYaml } from "yaml";
import { formatProblems, loadScenarioText, SCENARIO_ALIAS_MAX, validateScenario, withBudgetOverrides, type BudgetOverrides } from "../scenario/load.js";
import { PRESETS, presetNamed } from "../scenario/presets.js";
import type { Scenario } from "../scenario/schema.js";
import { systemNamed } from "../systems/index.js";

export type ScenarioSource = { ok: true; scenario: Scenario; label: string; document: unknown } | { ok: false; message: string };

export function loadScenarioSource(argument: string, overrides: BudgetOverrides = {}): ScenarioSource {
  const loaded = loadUnchecked(argument, overrides);
  if (!loaded.ok) return loaded;
  return fitsThisProcess(loaded);
}

function loadUnchecked(argument: string, overrides: BudgetOverrides): ScenarioSource {
  const preset = presetNamed(argument);
  if (preset !== undefined) {
    const document = withBudgetOverrides(preset.document, overrides);
    const loaded = validateScenario(document);
    if (!loaded.ok) return { ok: false, message: `preset ${argument}${hasOverrides(overrides) ? " with the budgets given" : " is invalid (a bug)"}:\n${formatProblems(loaded.problems)}` };
    return { ok: true, scenario: loaded.scenario, label: argument, document };
  }
  if (!existsSync(argument)) {
    return { ok: false, message: `${JSON.stringify(argument)} is neither a scenario file nor a preset; presets: ${PRESETS.map((p) => p.name).join(", ")}` };
  }
  if (!statSync(argument).isFile()) return { ok: false, message: `${argument}: expected a scenario file (YAML or JSON), got a directory` };
  let text: string;
  try {
    text = readFileSync(argument, "utf8");
  } catch (error) {
    return { ok: false, message: `${argument}: cannot read it: ${describeReadError(error)}` };
  }
  const loaded = loadScenarioText(text, argument, overrides);
  if (!loaded.ok) return { ok: false, message: `${argument}: ${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"}:\n${formatProblems(loaded.problems)}` };
  // The document as written (units as text, defaults not filled in), which a sweep sets values in and validates again.
  // Parsing again is safe: the loader has just bounded this text's size, nesting and aliases.
  const document: unknown = withBudgetOverrides(parseYaml(text, { maxAliasCount: SCENARIO_ALIAS_MAX, uniqueKeys: false, logLevel: "error" }), overrides);
  return { ok: true, scenario: loaded.scenario, label: argument, document };
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a folder";
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}

function hasOverrides(overrides: BudgetOverrides): boolean {
  return overrides.maxEvents !== undefined || overrides.maxMemory !== undefined;
}

/**
 * The heap this Node process may fill with a run's retained state: V8's
 * limit with room for the garbage collector (a run's peak heap is about
 * twice what it retains).
 */
const HEAP_USABLE_SHARE = 0.6;

/**
 * A run estimated past what this Node process can hold would end in
 * out-of-memory, not in its budget's clean stop: refuse it, and say how to
 * give Node more (its heap limit depends on the machine). A memory budget
 * above what this process can hold is lowered to it, said on stderr, so the
 * budget stops the run before V8 does (replay elsewhere with --max-memory
 * at the printed value to get the same run).
 */
function fitsThisProcess(loaded: Extract<ScenarioSource, { ok: true }>): ScenarioSource {
  const usableBytes = Math.floor(getHeapStatistics().heap_size_limit * HEAP_USABLE_SHARE);
  const gib = (bytes: number): string => `${(bytes / 1_073_741_824).toFixed(1)}GiB`;
  const estimated = systemNamed(loaded.scenario.system).estimateRun(loaded.scenario).memoryBytes;
  if (estimated > usableBytes) {
    return {
      ok: false,
      message: `${loaded.label}: this run is estimated to fill ~${gib(estimated)} of heap, more than this Node process can hold (${gib(usableBytes)} of its heap): give Node more with NODE_OPTIONS=--max-old-space-size=${Math.ceil(estimated / HEAP_USABLE_SHARE / 1_048_576)}, or shorten the run`,
    };
  }
  const budget = loaded.scenario.budgets.maxMemory;
  if (budget <= usableBytes) return loaded;
  process.stderr.write(`mqsim: budgets.maxMemory ${gib(budget)} is more than this Node process can hold; the run stops at ${gib(usableBytes)} instead (--max-memory ${usableBytes} reproduces it elsewhere)\n`);
  const scenario = { ...loaded.scenario, budgets: { ...loaded.scenario.budgets, maxMemory: usableBytes } } as Scenario;
  return { ...loaded, scenario, document: withBudgetOverrides(loaded.document, { maxMemory: usableBytes }) };
}
