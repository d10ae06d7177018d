/**
 * Distributions as data (so scenario files can name them) and their samplers.
 *
 * Every sampler returns an integer: nanoseconds when the distribution is a
 * duration, bytes when it is a size. Rounding happens once, here, where the
 * value is drawn. `Math.log`/`Math.exp` are implementation-approximated in
 * ECMAScript, so reports record the Node version; within one Node version the
 * draws are bit-for-bit reproducible.
 */
import { assert, unreachable } from "./assert.js";
import type { RngStream } from "./rng.js";
import { standardExponential } from "./ziggurat.js";

export type DistributionSpec =
  | { kind: "constant"; value: number }
  /** Uniform over the integers [min, max]. */
  | { kind: "uniform"; min: number; max: number }
  | { kind: "exponential"; mean: number }
  /** Normal, clamped to [min, max] (min defaults to 0: durations and sizes are never negative). */
  | { kind: "normal"; mean: number; stddev: number; min?: number; max?: number }
  /** Lognormal given by its median (e^mu) and sigma. */
  | { kind: "lognormal"; median: number; sigma: number }
  /** Bounded Pareto on [min, max] with shape alpha: heavy-tailed, but every draw is bounded. */
  | { kind: "pareto"; alpha: number; min: number; max: number }
  /** A discrete empirical distribution: values with optional integer weights. */
  | { kind: "empirical"; values: number[]; weights?: number[] };

export interface Distribution {
  readonly spec: DistributionSpec;
  /** The exact (unrounded) mean, for closed-form checks. */
  readonly mean: number;
  sample(rng: RngStream): number;
}

export function distribution(spec: DistributionSpec): Distribution {
  switch (spec.kind) {
    case "constant":
      return constant(spec);
    case "uniform":
      return uniform(spec);
    case "exponential":
      return exponential(spec);
    case "normal":
      return normal(spec);
    case "lognormal":
      return lognormal(spec);
    case "pareto":
      return boundedPareto(spec);
    case "empirical":
      return empirical(spec);
    default:
      return unreachable(spec, "distribution kind");
  }
}

function assertFiniteNonNegative(value: number, name: string): void {
  assert(Number.isFinite(value) && value >= 0, `${name} must be a finite number >= 0, got ${value}`);
}

function constant(spec: Extract<DistributionSpec, { kind: "constant" }>): Distribution {
  assertFiniteNonNegative(spec.value, "constant.value");
  const value = Math.round(spec.value);
  return { spec, mean: value, sample: () => value };
}

function uniform(spec: Extract<DistributionSpec, { kind: "uniform" }>): Distribution {
  assert(Number.isSafeInteger(spec.min) && Number.isSafeInteger(spec.max), "uniform bounds must be integers");
  assert(0 <= spec.min && spec.min <= spec.max, `uniform needs 0 <= min <= max, got [${spec.min}, ${spec.max}]`);
  const { min, max } = spec;
  return { spec, mean: (min + max) / 2, sample: (rng) => rng.int(min, max) };
}

function exponential(spec: Extract<DistributionSpec, { kind: "exponential" }>): Distribution {
  assertFiniteNonNegative(spec.mean, "exponential.mean");
  const mean = spec.mean;
  // Ziggurat rather than -mean * ln(U): no logarithm on ~99% of draws.
  return { spec, mean, sample: (rng) => Math.round(mean * standardExponential(rng)) };
}

/** One standard normal draw (Box–Muller; the second value is dropped to keep samplers stateless). */
export function standardNormal(rng: RngStream): number {
  return Math.sqrt(-2 * Math.log(rng.unit())) * Math.cos(2 * Math.PI * rng.unit());
}

function normal(spec: Extract<DistributionSpec, { kind: "normal" }>): Distribution {
  assert(Number.isFinite(spec.mean), `normal.mean must be finite, got ${spec.mean}`);
  assertFiniteNonNegative(spec.stddev, "normal.stddev");
  const min = spec.min ?? 0;
  const max = spec.max ?? Number.MAX_SAFE_INTEGER;
  // The clamp bounds are returned as they are, so they must already be valid samples:
  // integers, and never negative (durations and sizes).
  assert(
    Number.isSafeInteger(min) && Number.isSafeInteger(max) && 0 <= min && min <= max,
    `normal needs integers 0 <= min <= max, got [${min}, ${max}]`,
  );
  const { mean, stddev } = spec;
  return {
    spec,
    mean,
    sample: (rng) => Math.min(max, Math.max(min, Math.round(mean + stddev * standardNormal(rng)))),
  };
}

function lognormal(spec: Extract<DistributionSpec, { kind: "lognormal" }>): Distribution {
  assert(spec.median > 0 && Number.isFinite(spec.median), `lognormal.median must be > 0, got ${spec.median}`);
  assertFiniteNonNegative(spec.sigma, "lognormal.sigma");
  const { median, sigma } = spec;
  return {
    spec,
    mean: median * Math.exp((sigma * sigma) / 2),
    sample: (rng) => Math.round(median * Math.exp(sigma * standardNormal(rng))),
  };
}

function boundedPareto(spec: Extract<DistributionSpec, { kind: "pareto" }>): Distribution {
  const { alpha, min, max } = spec;
  assert(alpha > 0 && Number.isFinite(alpha), `pareto.alpha must be > 0, got ${alpha}`);
  assert(min > 0 && min < max && Number.isFinite(max), `pareto needs 0 < min < max, got [${min}, ${max}]`);
  const minPow = Math.pow(min, alpha);
  const maxPow = Math.pow(max, alpha);
  const ratio = Math.pow(min / max, alpha);
  const mean =
    alpha === 1
      ? ((min * max) / (max - min)) * Math.log(max / min)
      : (minPow / (1 - ratio)) * (alpha / (alpha - 1)) * (1 / Math.pow(min, alpha - 1) - 1 / Math.pow(max, alpha - 1));
  return {
    spec,
    mean,
    // Inverse CDF of the bounded Pareto distribution.
    sample: (rng) => {
      const u = rng.unit();
      const x = Math.pow(-(u * maxPow - u * minPow - maxPow) / (maxPow * minPow), -1 / alpha);
      return Math.min(max, Math.max(min, Math.round(x)));
    },
  };
}

function empirical(spec: Extract<DistributionSpec, { kind: "empirical" }>): Distribution {
  const values = spec.values;
  assert(values.length > 0, "empirical needs at least one value");
  for (const value of values) assertFiniteNonNegative(value, "empirical value");
  const weights = spec.weights ?? values.map(() => 1);
  assert(weights.length === values.length, "empirical needs one weight per value");
  const cumulative: number[] = [];
  let total = 0;
  for (const weight of weights) {
    assert(Number.isSafeInteger(weight) && weight >= 0, `empirical weights must be integers >= 0, got ${weight}`);
    total += weight;
    cumulative.push(total);
  }
  assert(total > 0, "empirical weights must not all be zero");
  const rounded = values.map((value) => Math.round(value));
  let weightedSum = 0;
  for (let i = 0; i < values.length; i++) weightedSum += values[i]! * weights[i]!;
  return {
    spec,
    mean: weightedSum / total,
    sample: (rng) => {
      const draw = rng.int(0, total - 1);
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const middle = (low + high) >> 1;
        if (cumulative[middle]! > draw) high = middle;
        else low = middle + 1;
      }
      return rounded[low]!;
    },
  };
}
