import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { workerEntry } from "./run-sweep.js";
import { SEMI_SPACE_MB, WORKER_YOUNG_GENERATION_MB } from "./young-generation.js";

describe("the young generation mqsim runs with", () => {
  it("is what every npm script that runs the simulator passes to Node", () => {
    const scripts = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> }).scripts;
    const simulating = Object.entries(scripts).filter(([name]) => name === "start" || name.startsWith("bench"));
    expect(simulating.length).toBeGreaterThan(5);
    for (const [name, command] of simulating) expect(command, name).toContain(`node --max-semi-space-size=${SEMI_SPACE_MB} `);
  });

  it("is the resource limit of sweep and check workers", () => {
    expect(workerEntry().resourceLimits.maxYoungGenerationSizeMb).toBe(WORKER_YOUNG_GENERATION_MB);
    expect(WORKER_YOUNG_GENERATION_MB).toBe(3 * SEMI_SPACE_MB);
  });
});
