/**
 * `mqsim check`: a property-based search over fault schedules for one
 * scenario, Kafka or RabbitMQ. fast-check generates schedules of crashes,
 * pauses, partitions (and, if asked, power losses) on the scenario's nodes
 * within its duration; each run must not fail a safety check; a failure is
 * shrunk to a minimal schedule and replays from (search seed, path).
 */
import type { FaultSchedule } from "../faults/fault.js";
import { DEFAULT_FAULT_KINDS, verbsOfKinds, type FaultKind } from "../faults/fault-kinds.js";
import { searchFaults, type FaultSearchResult } from "../faults/search.js";
import { formatCheckResults } from "../checks/format-check-results.js";
import { CONTROLLER_CLASS, DATA_CLASS } from "../systems/kafka/protocol.js";
import { CONTROLLER_NODE } from "../systems/kafka/cluster.js";
import { runKafka } from "../systems/kafka/run.js";
import { CLIENT_TRAFFIC } from "../systems/rabbitmq/client-connection.js";
import { CLUSTER_TRAFFIC } from "../systems/rabbitmq/node-link.js";
import { runRabbitMq } from "../systems/rabbitmq/run.js";
import { kafkaRunSpecOf } from "./kafka-spec.js";
import { publisherNodeNames, rabbitConsumerNodeNames, rabbitScenarioNodeNames } from "./rabbitmq-schema.js";
import { rabbitRunSpecOf } from "./rabbitmq-spec.js";
import { requiredChecks, summarize, type AnyRunResult } from "./run-scenario.js";
import { brokerNodeNames, consumerNodeNames, producerNodeNames, type Scenario } from "./schema.js";

export interface CheckScenarioOptions {
  runs: number;
  searchSeed: number;
  /** Replay one counterexample of an earlier search (with the same searchSeed). */
  path?: string;
  faultsMax?: number;
  /** The kinds of fault to draw (default DEFAULT_FAULT_KINDS). */
  faultKinds?: readonly FaultKind[];
}

/** Most fault events in a generated schedule, unless --faults-max says otherwise. */
export const CHECK_FAULTS_MAX_DEFAULT = 6;


/**
 * The nodes a search may fault, the nodes its partitions may cut off (the
 * Kafka controller too: it is never crashed, as mqsim's controller is one
 * immortal node, but cutting it off fences brokers — issue 19's loss needed
 * exactly that), and the traffic classes partitions may scope to, per system.
 */
function faultTargets(scenario: Scenario): { nodeNames: string[]; partitionNodeNames: string[]; trafficClasses: string[] } {
  if (scenario.system === "kafka") {
    const nodeNames = [...brokerNodeNames(scenario), ...producerNodeNames(scenario).flat(), ...consumerNodeNames(scenario).flat()];
    return { nodeNames, partitionNodeNames: [...nodeNames, CONTROLLER_NODE], trafficClasses: [DATA_CLASS, CONTROLLER_CLASS] };
  }
  const nodeNames = [...rabbitScenarioNodeNames(scenario), ...publisherNodeNames(scenario).flat(), ...rabbitConsumerNodeNames(scenario).flat()];
  return { nodeNames, partitionNodeNames: nodeNames, trafficClasses: [CLUSTER_TRAFFIC, CLIENT_TRAFFIC] };
}

/** One run of the scenario with a generated schedule in place of its own. */
function runWith(scenario: Scenario, seed: number, faults: FaultSchedule): { summaryVerdict: string; result: AnyRunResult } {
  if (scenario.system === "kafka") {
    const spec = { ...kafkaRunSpecOf(scenario, seed), faults };
    const result = runKafka(spec);
    return { summaryVerdict: summarize(scenario, spec, result).verdict, result };
  }
  const spec = { ...rabbitRunSpecOf(scenario, seed), faults };
  const result = runRabbitMq(spec);
  return { summaryVerdict: summarize(scenario, spec, result).verdict, result };
}

export function checkScenario(scenario: Scenario, options: CheckScenarioOptions): FaultSearchResult {
  const required = requiredChecks(scenario);
  const targets = faultTargets(scenario);
  return searchFaults(
    (seed, faults) => {
      const { summaryVerdict, result } = runWith(scenario, seed, faults);
      if (summaryVerdict !== "safety-failed") return null;
      return formatCheckResults(result.checks.filter((check) => !check.ok && required.includes(check.check)));
    },
    {
      schedules: {
        nodeNames: targets.nodeNames,
        partitionNodeNames: targets.partitionNodeNames,
        horizonNs: scenario.duration,
        faultsMax: options.faultsMax ?? CHECK_FAULTS_MAX_DEFAULT,
        verbs: verbsOfKinds(options.faultKinds ?? DEFAULT_FAULT_KINDS),
        trafficClasses: targets.trafficClasses,
      },
      numRuns: options.runs,
      searchSeed: options.searchSeed,
      ...(options.path === undefined ? {} : { path: options.path }),
    },
  );
}
