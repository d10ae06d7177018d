/**
 * `<file|preset>` on the command line → a validated scenario: a built-in
 * preset by name, or a YAML/JSON file. Problems come back as lines for the
 * user (exit 2), never as exceptions.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { formatProblems, loadScenarioText, SCENARIO_ALIAS_MAX, validateScenario } from "../scenario/load.js";
import { PRESETS, presetNamed } from "../scenario/presets.js";
import type { Scenario } from "../scenario/schema.js";

export type ScenarioSource = { ok: true; scenario: Scenario; label: string; document: unknown } | { ok: false; message: string };

export function loadScenarioSource(argument: string): ScenarioSource {
  const preset = presetNamed(argument);
  if (preset !== undefined) {
    const loaded = validateScenario(preset.document);
    if (!loaded.ok) return { ok: false, message: `preset ${argument} is invalid (a bug):\n${formatProblems(loaded.problems)}` };
    return { ok: true, scenario: loaded.scenario, label: argument, document: preset.document };
  }
  if (!existsSync(argument)) {
    return { ok: false, message: `${JSON.stringify(argument)} is neither a scenario file nor a preset; presets: ${PRESETS.map((p) => p.name).join(", ")}` };
  }
  if (!statSync(argument).isFile()) return { ok: false, message: `${argument}: expected a scenario file (YAML or JSON), got a directory` };
  const text = readFileSync(argument, "utf8");
  const loaded = loadScenarioText(text, argument);
  if (!loaded.ok) return { ok: false, message: `${argument}: ${loaded.problems.length} problem${loaded.problems.length === 1 ? "" : "s"}:\n${formatProblems(loaded.problems)}` };
  // The document as written (units as text, defaults not filled in), which a sweep sets values in and validates again.
  // Parsing again is safe: the loader has just bounded this text's size, nesting and aliases.
  const document: unknown = parseYaml(text, { maxAliasCount: SCENARIO_ALIAS_MAX, uniqueKeys: false, logLevel: "error" });
  return { ok: true, scenario: loaded.scenario, label: argument, document };
}
