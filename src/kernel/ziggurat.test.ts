import { describe, expect, it } from "vitest";
import { Rng } from "./rng.js";
import { standardExponential } from "./ziggurat.js";

describe("ziggurat exponential", () => {
  it("has the mean, variance and tails of Exp(1), including beyond the ziggurat's tail start", () => {
    const rng = new Rng(20261122).stream("ziggurat");
    const draws = 2_000_000;
    let sum = 0;
    let sumSquares = 0;
    const beyond = [0, 0, 0];
    const cutoffs = [1, 3, 8]; // 8 > 7.697, the base layer's tail start
    for (let i = 0; i < draws; i++) {
      const x = standardExponential(rng);
      expect(x >= 0).toBe(true);
      sum += x;
      sumSquares += x * x;
      for (let c = 0; c < cutoffs.length; c++) if (x > cutoffs[c]!) beyond[c]!++;
    }
    const mean = sum / draws;
    expect(mean).toBeCloseTo(1, 2);
    expect(sumSquares / draws - mean * mean).toBeCloseTo(1, 1);
    for (let c = 0; c < cutoffs.length; c++) {
      const expected = Math.exp(-cutoffs[c]!) * draws;
      // Within 5 standard deviations of a binomial count.
      expect(Math.abs(beyond[c]! - expected)).toBeLessThan(5 * Math.sqrt(expected) + 1);
    }
  });

  it("is reproducible from the stream's seed", () => {
    const a = new Rng(1).stream("s");
    const b = new Rng(1).stream("s");
    for (let i = 0; i < 1000; i++) expect(standardExponential(a)).toBe(standardExponential(b));
  });
});
