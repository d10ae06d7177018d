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
 * A memory budget above what this Node process may allocate would end in
 * out-of-memory, not in the budget's clean stop: refuse it, and say how to
 * give Node more (its heap limit depends on the machine; the run's result
 * does not).
 */
function fitsThisProcess(loaded: Extract<ScenarioSource, { ok: true }>): ScenarioSource {
  const heapLimitBytes = getHeapStatistics().heap_size_limit;
  const maxMemory = loaded.scenario.budgets.maxMemory;
  if (maxMemory <= heapLimitBytes) return loaded;
  const gib = (bytes: number): string => `${(bytes / 1_073_741_824).toFixed(1)}GiB`;
  return {
    ok: false,
    message: `${loaded.label}: budgets.maxMemory (${gib(maxMemory)}) is more than this Node process may use (a ${gib(heapLimitBytes)} heap): lower it (--max-memory), or give Node more with NODE_OPTIONS=--max-old-space-size=${Math.ceil(maxMemory / 1_048_576) + 512}`,
  };
}
