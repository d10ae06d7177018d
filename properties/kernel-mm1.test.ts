/**
 * The kernel against queueing theory: an M/M/1 queue built only on kernel
 * parts (scheduler, RNG streams, exponential distribution) must reproduce the
 * closed forms. A wrong event order, a clock that skips, a biased RNG or a
 * sampler with the wrong mean all move these means by more than the tolerance.
 */
import { describe, expect, it } from "vitest";
import { Mm1Model } from "../bench/mm1-model.js";
import { Kernel } from "../src/kernel/kernel.js";

const SERVICE_NS_MEAN = 1_000_000; // mu = 1 / ms
const INTERARRIVAL_NS_MEAN = 1_250_000; // lambda = 0.8 / ms
const MU = 1 / SERVICE_NS_MEAN;
const LAMBDA = 1 / INTERARRIVAL_NS_MEAN;
const RHO = LAMBDA / MU;

describe("M/M/1 on the kernel", () => {
  it("matches Wq = rho / (mu - lambda) and W = 1 / (mu - lambda) within 2% at rho = 0.8", () => {
    expect(RHO).toBeCloseTo(0.8, 12);
    const waitNsExpected = RHO / (MU - LAMBDA); // 4 ms
    const sojournNsExpected = 1 / (MU - LAMBDA); // 5 ms

    const kernel = new Kernel({ seed: 20261122 });
    const model = new Mm1Model(kernel, { interarrivalNsMean: INTERARRIVAL_NS_MEAN, serviceNsMean: SERVICE_NS_MEAN });
    // At rho = 0.8 successive waits are strongly correlated: the standard error of the
    // mean wait over n customers is about sqrt(2000 ms^2 / n), i.e. 0.5% of 4 ms at
    // n = 5e6, so the 2% bound is about 4 standard errors.
    const customers = 5_000_000;
    const stats = model.runCustomers(customers);

    expect(stats.customersServed).toBe(customers);
    expect(Math.abs(stats.serviceNsMean / SERVICE_NS_MEAN - 1)).toBeLessThan(0.005);
    expect(Math.abs(stats.waitNsMean / waitNsExpected - 1)).toBeLessThan(0.02);
    expect(Math.abs(stats.sojournNsMean / sojournNsExpected - 1)).toBeLessThan(0.02);
    // Every customer is two events (plus the one arrival still pending).
    expect(kernel.scheduler.eventsFired).toBeGreaterThanOrEqual(2 * customers);
    expect(kernel.scheduler.eventsFired).toBeLessThan(2 * customers + 100);
  });

  it("is deterministic: the same seed gives the same means and digest, another seed does not", () => {
    const runOnce = (seed: number) => {
      const kernel = new Kernel({ seed });
      const model = new Mm1Model(kernel, { interarrivalNsMean: INTERARRIVAL_NS_MEAN, serviceNsMean: SERVICE_NS_MEAN });
      const stats = model.runCustomers(20_000);
      return { stats, digest: kernel.digestHex(), nowNs: kernel.now };
    };
    const first = runOnce(1);
    expect(runOnce(1)).toEqual(first);
    const other = runOnce(2);
    expect(other.digest).not.toBe(first.digest);
    expect(other.stats.waitNsMean).not.toBe(first.stats.waitNsMean);
  });

  it("continues across calls: two halves equal one whole run", () => {
    const build = () => {
      const kernel = new Kernel({ seed: 5 });
      return { kernel, model: new Mm1Model(kernel, { interarrivalNsMean: INTERARRIVAL_NS_MEAN, serviceNsMean: SERVICE_NS_MEAN }) };
    };
    const whole = build();
    const wholeStats = whole.model.runCustomers(10_000);
    const halves = build();
    halves.model.runCustomers(5_000);
    const halvesStats = halves.model.runCustomers(5_000);
    expect(halvesStats).toEqual(wholeStats);
    expect(halves.kernel.digestHex()).toBe(whole.kernel.digestHex());
  });
});
