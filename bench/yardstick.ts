/**
 * mqsim's kernel against the minimal heap (minimal-heap-hold.ts), measured
 * as a ratio in one run: both hold models are built side by side and timed
 * in interleaved rounds (kernel, minimal, minimal, kernel, …), so drift of a
 * shared machine (another process, turbo, GC of an earlier task) falls on
 * both. The ratio is the kernel's speed as a share of the minimal heap's:
 * the median over rounds of minimal time / kernel time for the same events.
 */
import { Kernel } from "../src/kernel/kernel.js";
import { HoldModel } from "./hold-model.js";
import { MinimalHeapHold } from "./minimal-heap-hold.js";

export interface YardstickResult {
  pendingEvents: number;
  rounds: number;
  eventsPerRound: number;
  kernelEventsPerSecMedian: number;
  minimalEventsPerSecMedian: number;
  /** Kernel speed / minimal heap speed, median over rounds. */
  ratioMedian: number;
  ratioMin: number;
  ratioMax: number;
}

const SEED = 20261122;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function timeMs(run: () => void): number {
  const startedMs = performance.now();
  run();
  return performance.now() - startedMs;
}

export function measureYardstick(pendingCount: number, rounds = 15, eventsPerRound = 200_000): YardstickResult {
  const kernel = new HoldModel(new Kernel({ seed: SEED }), pendingCount);
  const minimal = new MinimalHeapHold(SEED, pendingCount);
  // Warm both up so the JIT has compiled their hot loops before any round counts.
  for (let k = 0; k < 3; k++) {
    kernel.runEvents(eventsPerRound);
    minimal.runEvents(eventsPerRound);
  }
  const ratios: number[] = [];
  const kernelMs: number[] = [];
  const minimalMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs on a cache the other warmed.
    const first = round % 2 === 0;
    const a = first ? timeMs(() => kernel.runEvents(eventsPerRound)) : 0;
    const b = timeMs(() => minimal.runEvents(eventsPerRound));
    const c = first ? a : timeMs(() => kernel.runEvents(eventsPerRound));
    kernelMs.push(c);
    minimalMs.push(b);
    ratios.push(b / c);
  }
  const rate = (ms: number): number => eventsPerRound / (ms / 1000);
  return {
    pendingEvents: pendingCount,
    rounds,
    eventsPerRound,
    kernelEventsPerSecMedian: Math.round(rate(median(kernelMs))),
    minimalEventsPerSecMedian: Math.round(rate(median(minimalMs))),
    ratioMedian: Number(median(ratios).toFixed(3)),
    ratioMin: Number(Math.min(...ratios).toFixed(3)),
    ratioMax: Number(Math.max(...ratios).toFixed(3)),
  };
}

if (process.argv[1]?.endsWith("yardstick.ts") === true) {
  for (const pending of [1_000, 100_000]) process.stdout.write(`${JSON.stringify(measureYardstick(pending))}\n`);
}
