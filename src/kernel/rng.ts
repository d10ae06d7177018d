/**
 * Randomness comes only from here, and only from named streams derived from
 * the run seed: `rng.stream("net:b1->b2")`. Each stream is an independent
 * Alea generator (Baagøe's, as seedrandom.alea implements it; ~43% faster
 * than seedrandom's default ARC4 on the hold benchmark) seeded by
 * "<run seed>/<name>", so adding a component (a new stream) never changes
 * what any other stream draws. The generator's state lives in the stream's
 * own fields rather than in seedrandom's closure (a draw per packet is a hot
 * path); the numbers are seedrandom.alea's, bit for bit (rng.test.ts checks).
 *
 * Probabilities are exact integer ratios (`chance(1, 1000)`), never floats.
 */
import { assert, assertInteger } from "./assert.js";

const TWO_POW_32 = 4294967296;
const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Baagøe's Mash, which seeds Alea: a running hash over the seed's code units. */
function mash(): (data: string) => number {
  let n = 0xefc8249d;
  return (data) => {
    for (let i = 0; i < data.length; i++) {
      n += data.charCodeAt(i);
      let h = 0.02519603282416938 * n;
      n = h >>> 0;
      h -= n;
      h *= n;
      n = h >>> 0;
      h -= n;
      n += h * TWO_POW_32;
    }
    return (n >>> 0) * TWO_POW_MINUS_32;
  };
}

export class RngStream {
  readonly name: string;
  // Alea's state: three lagged values in [0, 1) and a carry.
  private s0: number;
  private s1: number;
  private s2: number;
  private c = 1;

  constructor(name: string, seedText: string) {
    this.name = name;
    const hash = mash();
    let s0 = hash(" ");
    let s1 = hash(" ");
    let s2 = hash(" ");
    s0 -= hash(seedText);
    if (s0 < 0) s0 += 1;
    s1 -= hash(seedText);
    if (s1 < 0) s1 += 1;
    s2 -= hash(seedText);
    if (s2 < 0) s2 += 1;
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
  }

  /** Alea's step: a uniform float in [0, 1) with 32 bits of resolution. */
  private next(): number {
    const t = 2091639 * this.s0 + this.c * TWO_POW_MINUS_32;
    this.s0 = this.s1;
    this.s1 = this.s2;
    this.c = t | 0;
    this.s2 = t - this.c;
    return this.s2;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    return (this.next() * TWO_POW_32) >>> 0;
  }

  /** Uniform float in the open interval (0, 1): never 0, so logarithms are safe. */
  unit(): number {
    return ((this.next() * TWO_POW_32) + 0.5) / TWO_POW_32;
  }

  /** Uniform float in [0, 1) with 53 bits of resolution. */
  float53(): number {
    // seedrandom's prng.double(): the first draw's 32 bits, then 21 more from a second draw.
    const high = this.next();
    return high + ((this.next() * 0x200000) | 0) * 1.1102230246251565e-16;
  }

  /** Uniform integer in [min, max], without modulo bias. */
  int(min: number, max: number): number {
    assertInteger(min, "min");
    assertInteger(max, "max");
    if (!(min <= max)) assert(false, `int(${min}, ${max}): empty range`);
    const span = max - min + 1;
    if (span <= TWO_POW_32) {
      // Rejection sampling: draws above the largest multiple of span are redrawn.
      const limit = TWO_POW_32 - (TWO_POW_32 % span);
      for (;;) {
        const draw = this.u32();
        if (draw < limit) return min + (draw % span);
      }
    }
    return min + Math.floor(this.float53() * span);
  }

  /** True with probability exactly numerator / denominator. */
  chance(numerator: number, denominator: number): boolean {
    assertInteger(numerator, "numerator");
    assertInteger(denominator, "denominator");
    if (!(denominator > 0 && numerator >= 0 && numerator <= denominator)) assert(false, `bad ratio ${numerator}/${denominator}`);
    if (numerator === 0) return false;
    if (numerator === denominator) return true;
    return this.int(0, denominator - 1) < numerator;
  }

  pick<T>(items: readonly T[]): T {
    assert(items.length > 0, "pick from an empty list");
    return items[this.int(0, items.length - 1)]!;
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const held = items[i]!;
      items[i] = items[j]!;
      items[j] = held;
    }
    return items;
  }
}

export class Rng {
  readonly seed: string;
  private readonly names = new Set<string>();

  constructor(seed: number | string) {
    if (typeof seed === "number") assertInteger(seed, "seed");
    this.seed = String(seed);
  }

  /**
   * The stream for one component. Names are unique per run: two components
   * sharing a stream would make each one's draws depend on the other's.
   */
  stream(name: string): RngStream {
    assert(name.length > 0, "stream name must not be empty");
    assert(!this.names.has(name), `rng stream "${name}" was already taken in this run`);
    this.names.add(name);
    return new RngStream(name, `${this.seed}/${name}`);
  }

  /** Whether a stream of this name was handed out. */
  hasStream(name: string): boolean {
    return this.names.has(name);
  }
}
