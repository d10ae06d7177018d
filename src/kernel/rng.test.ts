import { describe, expect, it } from "vitest";
import { SimulatorBug } from "./assert.js";
import { Rng, type RngStream } from "./rng.js";

function draws(stream: RngStream, count: number): number[] {
  return Array.from({ length: count }, () => stream.u32());
}

describe("Rng streams", () => {
  it("same seed and name give the same draws", () => {
    expect(draws(new Rng(42).stream("net"), 100)).toEqual(draws(new Rng(42).stream("net"), 100));
    // A numeric seed and its decimal string are the same seed.
    expect(draws(new Rng(42).stream("net"), 10)).toEqual(draws(new Rng("42").stream("net"), 10));
  });

  it("a different seed or name gives different draws", () => {
    const base = draws(new Rng(42).stream("net"), 20);
    expect(draws(new Rng(43).stream("net"), 20)).not.toEqual(base);
    expect(draws(new Rng(42).stream("disk"), 20)).not.toEqual(base);
  });

  it("adding a stream does not change what another stream draws", () => {
    const alone = new Rng(7);
    const expected = draws(alone.stream("broker:b1"), 50);

    const crowded = new Rng(7);
    const newcomer = crowded.stream("broker:b0");
    const b1 = crowded.stream("broker:b1");
    const interleaved: number[] = [];
    for (let i = 0; i < 50; i++) {
      newcomer.u32();
      newcomer.int(0, 99);
      interleaved.push(b1.u32());
    }
    expect(interleaved).toEqual(expected);
  });

  it("refuses a duplicate or empty stream name", () => {
    const rng = new Rng(1);
    rng.stream("client");
    expect(rng.hasStream("client")).toBe(true);
    expect(rng.hasStream("other")).toBe(false);
    expect(() => rng.stream("client")).toThrow(SimulatorBug);
    expect(() => rng.stream("")).toThrow(SimulatorBug);
  });

  it("refuses a non-integer numeric seed", () => {
    expect(() => new Rng(1.5)).toThrow(SimulatorBug);
  });
});

describe("RngStream values", () => {
  it("u32 is an unsigned 32-bit integer and unit is in the open interval (0, 1)", () => {
    const stream = new Rng(3).stream("values");
    for (let i = 0; i < 10_000; i++) {
      const word = stream.u32();
      expect(Number.isInteger(word) && word >= 0 && word < 2 ** 32).toBe(true);
      const unit = stream.unit();
      expect(unit > 0 && unit < 1).toBe(true);
      const float = stream.float53();
      expect(float >= 0 && float < 1).toBe(true);
    }
  });

  it("int stays within [min, max], including negative and huge ranges", () => {
    const stream = new Rng(5).stream("int");
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const small = stream.int(-3, 3);
      expect(Number.isInteger(small) && small >= -3 && small <= 3).toBe(true);
      seen.add(small);
      const huge = stream.int(0, 2 ** 40);
      expect(Number.isSafeInteger(huge) && huge >= 0 && huge <= 2 ** 40).toBe(true);
      expect(stream.int(9, 9)).toBe(9);
    }
    expect(seen.size).toBe(7);
  });

  it("int is roughly uniform (chi-square over 10 bins)", () => {
    const stream = new Rng(2026).stream("uniformity");
    const bins = 10;
    const draws = 100_000;
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < draws; i++) counts[stream.int(0, bins - 1)]!++;
    const expected = draws / bins;
    const chiSquare = counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    // 9 degrees of freedom: P(chi2 > 27.9) = 0.001. A biased int (say, modulo bias
    // or an off-by-one bin) lands far beyond this.
    expect(chiSquare).toBeLessThan(27.9);
  });

  it("int is uniform for a span that does not divide 2^32 (no modulo bias)", () => {
    const stream = new Rng(99).stream("bias");
    // 3 * 2^30: with plain modulo, values below 2^30 would come up twice as often.
    const span = 3 * 2 ** 30;
    let low = 0;
    const draws = 60_000;
    for (let i = 0; i < draws; i++) if (stream.int(0, span - 1) < 2 ** 30) low++;
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(0.01);
  });

  it("int rejects empty and non-integer ranges", () => {
    const stream = new Rng(1).stream("bad");
    expect(() => stream.int(5, 4)).toThrow(SimulatorBug);
    expect(() => stream.int(0, 1.5)).toThrow(SimulatorBug);
    expect(() => stream.int(Number.NaN, 3)).toThrow(SimulatorBug);
  });

  it("chance is exact at the edges and close to the ratio in between", () => {
    const stream = new Rng(8).stream("chance");
    const draws = 100_000;
    let never = 0;
    let always = 0;
    let quarter = 0;
    for (let i = 0; i < draws; i++) {
      if (stream.chance(0, 7)) never++;
      if (stream.chance(7, 7)) always++;
      if (stream.chance(1, 4)) quarter++;
    }
    expect(never).toBe(0);
    expect(always).toBe(draws);
    // sd of the fraction is ~0.0014; 0.005 is > 3.5 sd.
    expect(Math.abs(quarter / draws - 0.25)).toBeLessThan(0.005);
  });

  it("chance rejects ratios outside [0, 1] and non-integers", () => {
    const stream = new Rng(1).stream("bad-chance");
    expect(() => stream.chance(5, 4)).toThrow(SimulatorBug);
    expect(() => stream.chance(-1, 4)).toThrow(SimulatorBug);
    expect(() => stream.chance(1, 0)).toThrow(SimulatorBug);
    expect(() => stream.chance(0.5, 1)).toThrow(SimulatorBug);
  });

  it("pick and shuffle are deterministic and complete", () => {
    const items = ["a", "b", "c", "d", "e", "f"];
    const first = new Rng(4).stream("shuffle").shuffle([...items]);
    const again = new Rng(4).stream("shuffle").shuffle([...items]);
    expect(first).toEqual(again);
    expect([...first].sort()).toEqual(items);
    const picker = new Rng(4).stream("pick");
    const picked = new Set(Array.from({ length: 200 }, () => picker.pick(items)));
    expect(picked).toEqual(new Set(items));
    expect(() => picker.pick([])).toThrow(SimulatorBug);
  });
});

describe("Rng streams are Alea", () => {
  it("draws exactly what seedrandom.alea draws for the same seed text", async () => {
    const seedrandom = (await import("seedrandom")).default;
    for (const [seed, name] of [[42, "net"], [0, "net:latency:b1->b2"], [123456789, "kernel:ties"], ["x", "é ü 😀"]] as const) {
      const stream = new Rng(seed).stream(name);
      const reference = seedrandom.alea(`${seed}/${name}`);
      for (let i = 0; i < 500; i++) {
        expect(stream.u32()).toBe((reference() * 4294967296) >>> 0);
        expect(stream.float53()).toBe(reference.double());
        expect(stream.unit()).toBe((reference() * 4294967296 + 0.5) / 4294967296);
      }
    }
  });
});
