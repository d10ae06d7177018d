/**
 * Every built-in preset is a valid scenario document, runs, and reaches the
 * verdict it promises: the unsafe settings fail their check, the safe ones
 * pass.
 */
import { describe, expect, it } from "vitest";
import { formatProblems, validateScenario } from "./load.js";
import { PRESETS } from "./presets.js";
import { runScenario } from "./run-scenario.js";

describe("built-in presets", () => {
  it("have unique names and cover the tour's claims and the Kafka anomalies", () => {
    const names = PRESETS.map((preset) => preset.name);
    expect(new Set(names).size).toBe(names.length);
    const claims = new Set(PRESETS.map((preset) => preset.claim));
    for (const claim of ["C1", "C3", "C8", "C9", "C10", "K1", "K2", "K3", "K4", "K12"]) expect(claims.has(claim), claim).toBe(true);
  });

  it.each(PRESETS.map((preset) => [preset.name, preset] as const))("%s runs to its promised verdict", (_name, preset) => {
    const loaded = validateScenario(preset.document);
    if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
    const { summary } = runScenario(loaded.scenario);
    expect(summary.verdict, summary.checks.filter((check) => !check.ok).map((check) => check.line).join("\n")).toBe(preset.expect);
  }, 120_000);
});
