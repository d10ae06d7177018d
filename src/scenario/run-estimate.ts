/**
 * What a run of a scenario will cost, estimated from the scenario alone,
 * before anything runs: the events the kernel will fire, the history records
 * it will keep, and the memory those take. A scenario whose estimate is past
 * its budgets (budgets.maxEvents, budgets.maxMemory) is refused as bad input
 * with the estimate and what to change, instead of running for minutes and
 * dying of out-of-memory (issue 19: 64 brokers at 1 M msg/s for an hour, or
 * 20 msg/s for 100 days).
 *
 * The constants are measured, not guessed (dist builds, Node 20, this
 * project's presets and stress scenarios, 2026-12): they aim a little above
 * what runs take, as an estimate that refuses should not be the one that
 * errs low. Measured:
 * Each system's constants are in its folder (run-estimate.ts there).
 */
import { MESSAGE_BYTES_MAX } from "../clients/message-size.js";
import type { OfferedRate } from "../run/system.js";
import type { MessageSizeDistribution } from "./schema-parts.js";

export interface RunEstimate {
  /** The client sends over the workload (a producer's batches, a publisher's publishes). */
  batches: number;
  /** Kernel events fired, busy work and background together. */
  events: number;
  /** Of which background (heartbeats, parked fetches, Raft ticks) over the run's expected horizon. */
  backgroundEvents: number;
  historyRecords: number;
  /** Heap the run's state will hold at its end. */
  memoryBytes: number;
}

/** Heap a history record takes, with its share of the arrays around it (measured ~135 B; rounded up). */
export const HISTORY_BYTES_PER_RECORD = 160;
/** Heap a run needs before its first message: the modules, the cluster's objects, the report's buffers. */
export const BASELINE_BYTES = 64 * 1024 * 1024;
/** How long a run usually goes on after the workload to converge (the budget is the ceiling, not the norm). */
const EXPECTED_CONVERGE_NS = 10_000_000_000;

/** Seconds a run is expected to last: the workload, then converging. */
export function horizonSeconds(scenario: { duration: number; budgets: { convergeWithin: number } }): number {
  return (scenario.duration + Math.min(scenario.budgets.convergeWithin, EXPECTED_CONVERGE_NS)) / 1e9;
}

/** Messages per second a rate shape offers on average over the workload. */
export function averageRate(rate: OfferedRate, durationNs: number): number {
  if (rate.kind !== "piecewise") return rate.perSecond;
  if (durationNs === 0) return 0;
  let messages = 0;
  rate.steps.forEach((step, k) => {
    const startNs = Math.min(step.atNs, durationNs);
    const endNs = Math.min(rate.steps[k + 1]?.atNs ?? durationNs, durationNs);
    if (endNs > startNs) messages += (step.perSecond * (endNs - startNs)) / 1e9;
  });
  return messages / (durationNs / 1e9);
}

export function messageBytesOf(shape: MessageSizeDistribution): number {
  switch (shape.kind) {
    case "constant":
      return shape.value;
    case "uniform":
      return (shape.min + shape.max) / 2;
    case "exponential":
    case "normal":
      return shape.mean;
    case "lognormal":
      // The mean of a lognormal: median · e^(σ²/2), cut where the draws are cut.
      return Math.min(MESSAGE_BYTES_MAX, shape.median * Math.exp((shape.sigma * shape.sigma) / 2));
  }
}
