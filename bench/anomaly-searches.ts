/**
 * Time for fast-check to find and shrink each Kafka anomaly (K1–K4, K12)
 * under its unsafe setting: the same search the property suite runs
 * (properties/anomalies.property.test.ts), timed on the wall clock,
 * with the shrunk schedule each one ends with.
 *
 * Used by bench/models.ts for reports/bench-models.md; runnable alone as
 * `npx tsx bench/anomaly-searches.ts` (prints the table).
 */
import { fileURLToPath } from "node:url";
import { describeFault } from "../src/faults/fault.js";
import { searchFaults } from "../src/faults/search.js";
import { anomalyProperty, KAFKA_ANOMALIES } from "../src/systems/kafka/anomalies.js";

/** The property suite's fixed fast-check seed, so the bench times the very search CI runs. */
export const ANOMALY_SEARCH_SEED = 20261122;
const FIND_RUNS_MAX = 400;
/** The issue's goal for find + shrink, per anomaly. */
export const FIND_AND_SHRINK_GOAL_MS = 10_000;

export interface AnomalySearchTiming {
  id: string;
  title: string;
  found: boolean;
  runsToFind: number;
  shrinks: number;
  /** Simulation runs in all: generated, shrinking, and the final replay. */
  runs: number;
  wallMs: number;
  replaySeed: number | null;
  schedule: string[];
  failure: string | null;
}

/** `onSearched` is told after each search (bench/models.ts prints the line and moves its progress bar). */
export function measureAnomalySearches(onSearched: (timing: AnomalySearchTiming) => void = () => {}): AnomalySearchTiming[] {
  return KAFKA_ANOMALIES.map((anomaly) => {
    const property = anomalyProperty(anomaly, "unsafe");
    let runs = 0;
    const counted: typeof property = (seed, faults) => {
      runs++;
      return property(seed, faults);
    };
    const startMs = performance.now();
    const search = searchFaults(counted, { schedules: anomaly.schedules, numRuns: FIND_RUNS_MAX, searchSeed: ANOMALY_SEARCH_SEED });
    const wallMs = performance.now() - startMs;
    const counterexample = search.counterexample;
    const timing: AnomalySearchTiming = {
      id: anomaly.id,
      title: anomaly.title,
      found: search.found,
      runsToFind: search.runsToFind,
      shrinks: search.shrinks,
      runs,
      wallMs,
      replaySeed: counterexample?.seed ?? null,
      schedule: counterexample?.faults.map(describeFault) ?? [],
      failure: counterexample?.failure ?? null,
    };
    onSearched(timing);
    return timing;
  });
}

export function anomalySearchMarkdown(timings: readonly AnomalySearchTiming[]): string {
  const lines = [
    `Search seed ${ANOMALY_SEARCH_SEED} (the property suite's), at most ${FIND_RUNS_MAX} generated runs; goal: find + shrink < ${FIND_AND_SHRINK_GOAL_MS / 1000} s each.`,
    "",
    "| anomaly | found after (runs) | shrinks | simulation runs | find + shrink (s) | goal met | shrunk schedule (replay seed) |",
    "|---|---:|---:|---:|---:|:---:|---|",
  ];
  for (const t of timings) {
    const schedule = t.found ? `${t.schedule.map((line) => `\`${line}\``).join("<br>")} (seed ${t.replaySeed})` : "not found";
    lines.push(`| ${t.id} | ${t.found ? t.runsToFind : "-"} | ${t.shrinks} | ${t.runs} | ${(t.wallMs / 1000).toFixed(2)} | ${t.found && t.wallMs < FIND_AND_SHRINK_GOAL_MS ? "yes" : "no"} | ${schedule} |`);
  }
  return lines.join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const timings = measureAnomalySearches();
  console.log(anomalySearchMarkdown(timings));
  for (const t of timings) if (t.failure !== null) console.log(`\n${t.id}: ${t.failure}`);
}
