import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { md1MeanWaitNs } from "./md1-queue.js";

describe("the README's M/D/1 example on the kernel", () => {
  it("gives the Pollaczek–Khinchine mean wait ρD / 2(1 − ρ) within 5% (λ = 800/s, D = 1 ms, ρ = 0.8: 2 ms)", () => {
    const arrivalsPerSec = 800;
    const serviceNs = 1_000_000;
    const rho = (arrivalsPerSec * serviceNs) / 1e9;
    const expectedNs = (rho * serviceNs) / (2 * (1 - rho));
    const measuredNs = md1MeanWaitNs(7, arrivalsPerSec, serviceNs, 400_000);
    expect(Math.abs(measuredNs - expectedNs) / expectedNs).toBeLessThan(0.05);
  });

  it("is deterministic: the same seed, the same mean", () => {
    expect(md1MeanWaitNs(3, 500, 1_000_000, 10_000)).toBe(md1MeanWaitNs(3, 500, 1_000_000, 10_000));
  });

  it("is the code the README shows, importing from the package", () => {
    const code = readFileSync(new URL("./md1-queue.ts", import.meta.url), "utf8").replace('from "../index.js"', 'from "mqsim"');
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(code.trim());
  });
});
