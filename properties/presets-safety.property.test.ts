/**
 * Every safe preset survives what it claims to (each system's presets.ts): a search
 * over generated schedules of exactly those kinds of fault finds no
 * counterexample. The search is the one `mqsim check <preset>` runs by
 * default, so the claim `mqsim list` prints is the claim tested here.
 * (The kinds a preset does not claim have counterexamples, named in its
 * description: those are shown by the anomaly tests and the README.)
 */
import { describe, expect, it } from "vitest";
import { describeCounterexample } from "../src/faults/search.js";
import { formatProblems, validateScenario } from "../src/scenario/load.js";
import { checkScenario } from "../src/scenario/check-scenario.js";
import { PRESETS } from "../src/scenario/presets.js";
import { fastCheckSeed, runsScaled } from "./fast-check-setup.js";

const SAFE = PRESETS.filter((preset) => preset.survives !== undefined);

describe("safe presets survive what they claim to", () => {
  it("every preset that expects ok with a safety claim has one, and only those", () => {
    for (const preset of SAFE) expect(preset.expect, preset.name).toBe("ok");
    expect(SAFE.length).toBeGreaterThanOrEqual(18);
  });

  for (const preset of SAFE) {
    it(`${preset.name}: no counterexample among ${preset.survives!.join(", ")}`, () => {
      const loaded = validateScenario(preset.document);
      if (!loaded.ok) throw new Error(formatProblems(loaded.problems));
      const search = checkScenario(loaded.scenario, { runs: runsScaled(25), searchSeed: fastCheckSeed, faultKinds: preset.survives! });
      expect(search.found, search.counterexample === null ? "" : describeCounterexample(search.counterexample)).toBe(false);
    });
  }
});
