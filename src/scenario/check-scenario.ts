/**
 * `mqsim check`: a property-based search over fault schedules for one
 * scenario. fast-check generates schedules of crashes, pauses, partitions
 * (and, if asked, power losses) on the scenario's nodes within its
 * duration; each run must not fail a safety check; a failure is shrunk to a
 * minimal schedule and replays from (search seed, path).
 */
import type { FaultVerb } from "../faults/fault.js";
import { searchFaults, type FaultSearchResult } from "../faults/search.js";
import { formatCheckResults } from "../checks/format-check-results.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "../systems/kafka/protocol.js";
import { runKafka } from "../systems/kafka/run.js";
import { kafkaRunSpecOf } from "./kafka-spec.js";
import { DEFAULT_SAFETY_CHECKS, summarize } from "./run-scenario.js";
import { brokerNodeNames, consumerNodeNames, producerNodeNames, type Scenario } from "./schema.js";

export interface CheckScenarioOptions {
  runs: number;
  searchSeed: number;
  /** Replay one counterexample of an earlier search (with the same searchSeed). */
  path?: string;
  faultsMax?: number;
  withPowerLoss?: boolean;
}

export const CHECK_VERBS: readonly FaultVerb[] = ["processCrash", "restart", "pause", "resume", "partition", "heal"];

export function checkScenario(scenario: Scenario, options: CheckScenarioOptions): FaultSearchResult {
  const nodeNames = [...brokerNodeNames(scenario), ...producerNodeNames(scenario).flat(), ...consumerNodeNames(scenario).flat()];
  const required = scenario.checks ?? DEFAULT_SAFETY_CHECKS;
  return searchFaults(
    (seed, faults) => {
      const spec = { ...kafkaRunSpecOf(scenario, seed), faults };
      const result = runKafka(spec);
      const summary = summarize(scenario, spec, result);
      if (summary.verdict !== "safety-failed") return null;
      return formatCheckResults(result.checks.filter((check) => !check.ok && required.includes(check.check)));
    },
    {
      schedules: {
        nodeNames,
        horizonNs: scenario.duration,
        faultsMax: options.faultsMax ?? 6,
        verbs: options.withPowerLoss === true ? [...CHECK_VERBS, "powerLoss"] : CHECK_VERBS,
        trafficClasses: [DATA_CLASS, CONTROLLER_CLASS],
      },
      numRuns: options.runs,
      searchSeed: options.searchSeed,
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
}
