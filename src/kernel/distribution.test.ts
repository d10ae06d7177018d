import { describe, expect, it } from "vitest";
import { SimulatorBug } from "./assert.js";
import { distribution, type DistributionSpec } from "./distribution.js";
import { Rng } from "./rng.js";

function sample(spec: DistributionSpec, count: number, seed = 1): number[] {
  const dist = distribution(spec);
  const stream = new Rng(seed).stream("dist");
  return Array.from({ length: count }, () => dist.sample(stream));
}

/** Mean of a bounded Pareto by Simpson's rule on its pdf, in log space: independent of the closed form. */
function paretoMeanNumeric(alpha: number, min: number, max: number): number {
  const norm = 1 - Math.pow(min / max, alpha);
  const pdf = (x: number): number => (alpha * Math.pow(min, alpha) * Math.pow(x, -alpha - 1)) / norm;
  // x = e^t, dx = x dt, so the integrand of E[X] is x * x * pdf(x).
  const steps = 20_000;
  const t0 = Math.log(min);
  const width = (Math.log(max) - t0) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const x = Math.exp(t0 + i * width);
    const weight = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    sum += weight * x * x * pdf(x);
  }
  return (sum * width) / 3;
}

function meanOf(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

describe("distribution means", () => {
  // Tolerances are several standard errors of the sample mean for the sample
  // count used, and far tighter than a wrong formula or sampler would give.
  const cases: { spec: DistributionSpec; mean: number; tolerance: number; count: number }[] = [
    { spec: { kind: "constant", value: 1234 }, mean: 1234, tolerance: 0, count: 1000 },
    { spec: { kind: "uniform", min: 100, max: 1100 }, mean: 600, tolerance: 0.005, count: 200_000 },
    { spec: { kind: "exponential", mean: 1_000_000 }, mean: 1_000_000, tolerance: 0.01, count: 200_000 },
    { spec: { kind: "normal", mean: 1_000_000, stddev: 100_000 }, mean: 1_000_000, tolerance: 0.002, count: 200_000 },
    { spec: { kind: "lognormal", median: 1_000_000, sigma: 0.5 }, mean: 1_000_000 * Math.exp(0.125), tolerance: 0.01, count: 200_000 },
    { spec: { kind: "pareto", alpha: 1.5, min: 1000, max: 1_000_000 }, mean: paretoMeanNumeric(1.5, 1000, 1_000_000), tolerance: 0.02, count: 400_000 },
    { spec: { kind: "pareto", alpha: 1, min: 1000, max: 100_000 }, mean: paretoMeanNumeric(1, 1000, 100_000), tolerance: 0.02, count: 400_000 },
    { spec: { kind: "empirical", values: [10, 20, 30], weights: [1, 0, 3] }, mean: 25, tolerance: 0.01, count: 100_000 },
  ];

  for (const { spec, mean, tolerance, count } of cases) {
    const label = `${spec.kind} ${JSON.stringify(spec)}`;
    it(`${label}: .mean matches the closed form and the sample mean`, () => {
      const dist = distribution(spec);
      // .mean is exact; the expected value here is computed another way (numerically for
      // Pareto), so only float and integration error separate them.
      expect(Math.abs(dist.mean - mean) / mean).toBeLessThan(spec.kind === "pareto" ? 1e-6 : 1e-12);
      const values = sample(spec, count);
      const observed = meanOf(values);
      expect(Math.abs(observed - dist.mean) / dist.mean).toBeLessThanOrEqual(tolerance);
    });
  }
});

describe("distribution samples", () => {
  const specs: DistributionSpec[] = [
    { kind: "constant", value: 2.6 },
    { kind: "uniform", min: 0, max: 3 },
    { kind: "exponential", mean: 1.5 },
    { kind: "normal", mean: 3.3, stddev: 1.7 },
    { kind: "normal", mean: 50, stddev: 10, min: 45, max: 55 },
    { kind: "lognormal", median: 2.5, sigma: 1.2 },
    { kind: "pareto", alpha: 0.7, min: 3, max: 40 },
    { kind: "empirical", values: [0.4, 7.7, 12] },
  ];

  for (const spec of specs) {
    it(`${JSON.stringify(spec)}: every sample is a non-negative integer`, () => {
      for (const value of sample(spec, 20_000, 5)) {
        expect(Number.isSafeInteger(value) && value >= 0).toBe(true);
      }
    });
  }

  it("normal stays within its clamp", () => {
    const values = sample({ kind: "normal", mean: 50, stddev: 10, min: 45, max: 55 }, 20_000);
    expect(Math.min(...values)).toBe(45);
    expect(Math.max(...values)).toBe(55);
    expect(Math.min(...sample({ kind: "normal", mean: 0, stddev: 10 }, 1000))).toBe(0);
  });

  it("pareto samples stay within [min, max] and reach both ends", () => {
    const values = sample({ kind: "pareto", alpha: 0.5, min: 10, max: 1000 }, 100_000);
    expect(Math.min(...values)).toBe(10);
    expect(Math.max(...values)).toBe(1000);
  });

  it("uniform covers its integer range", () => {
    const values = sample({ kind: "uniform", min: 3, max: 6 }, 1000);
    expect(new Set(values)).toEqual(new Set([3, 4, 5, 6]));
  });

  it("empirical respects weights (and never draws a zero-weight value)", () => {
    const values = sample({ kind: "empirical", values: [10, 20, 30, 40], weights: [1, 0, 3, 6] }, 100_000);
    const share = (v: number): number => values.filter((x) => x === v).length / values.length;
    expect(share(20)).toBe(0);
    expect(Math.abs(share(10) - 0.1)).toBeLessThan(0.005);
    expect(Math.abs(share(30) - 0.3)).toBeLessThan(0.005);
    expect(Math.abs(share(40) - 0.6)).toBeLessThan(0.005);
  });

  it("empirical without weights is uniform over its values", () => {
    const values = sample({ kind: "empirical", values: [1, 2] }, 40_000);
    expect(Math.abs(values.filter((x) => x === 1).length / values.length - 0.5)).toBeLessThan(0.01);
  });

  it("the same seed draws the same samples", () => {
    const spec: DistributionSpec = { kind: "lognormal", median: 1000, sigma: 1 };
    expect(sample(spec, 100, 9)).toEqual(sample(spec, 100, 9));
    expect(sample(spec, 100, 9)).not.toEqual(sample(spec, 100, 10));
  });
});

describe("bad distribution specs", () => {
  const bad: DistributionSpec[] = [
    { kind: "constant", value: -1 },
    { kind: "constant", value: Number.NaN },
    { kind: "uniform", min: 5, max: 4 },
    { kind: "uniform", min: -1, max: 4 },
    { kind: "uniform", min: 0.5, max: 4 },
    { kind: "exponential", mean: -1 },
    { kind: "exponential", mean: Infinity },
    { kind: "normal", mean: 10, stddev: -1 },
    { kind: "normal", mean: Number.NaN, stddev: 1 },
    { kind: "normal", mean: 10, stddev: 1, min: 20, max: 10 },
    { kind: "normal", mean: 10, stddev: 1, min: -5 },
    { kind: "normal", mean: 10, stddev: 1, min: 0.5 },
    { kind: "lognormal", median: 0, sigma: 1 },
    { kind: "lognormal", median: 10, sigma: -1 },
    { kind: "pareto", alpha: 0, min: 1, max: 10 },
    { kind: "pareto", alpha: 1, min: 0, max: 10 },
    { kind: "pareto", alpha: 1, min: 10, max: 10 },
    { kind: "pareto", alpha: 1, min: 1, max: Infinity },
    { kind: "empirical", values: [] },
    { kind: "empirical", values: [1, -2] },
    { kind: "empirical", values: [1, 2], weights: [1] },
    { kind: "empirical", values: [1, 2], weights: [0, 0] },
    { kind: "empirical", values: [1, 2], weights: [1, 0.5] },
    { kind: "empirical", values: [1, 2], weights: [1, -1] },
  ];
  for (const spec of bad) {
    it(`${JSON.stringify(spec)} throws SimulatorBug`, () => {
      expect(() => distribution(spec)).toThrow(SimulatorBug);
    });
  }

  it("an unknown kind throws SimulatorBug", () => {
    expect(() => distribution({ kind: "zipf" } as unknown as DistributionSpec)).toThrow(SimulatorBug);
  });
});
