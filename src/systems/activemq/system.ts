/** ActiveMQ Classic as a system of the product layer (src/run/system.ts). */
import type { RunSummary } from "../../report/run-summary.js";
import type { SystemModel } from "../../run/system.js";
import { SHARED_STORE_TRAFFIC } from "../../world/shared-store-protocol.js";
import { worldCounters, type WorldCounters } from "../../world/world-counters.js";
import { ACTIVEMQ_ANOMALIES } from "./anomalies.js";
import { LOCK_DATABASE_TRAFFIC } from "./lock-database.js";
import { ACTIVEMQ_PRESETS } from "./presets.js";
import { runActiveMq, type ActiveMqRunResult, type ActiveMqRunSpec } from "./run.js";
import { estimateActiveMqRun } from "./run-estimate.js";
import { activeMqBrokerThreads } from "./threads.js";
import {
  ACTIVEMQ_TRAFFIC_CLASSES,
  activeMqConsumerNodeNames,
  activeMqProducerNodeNames,
  activeMqScenarioSchema,
  activeMqServerNodeNames,
  SHARED_STORE_NODE,
  type ActiveMqScenario,
} from "./scenario-schema.js";
import { ACTIVEMQ_DEFAULT_SAFETY_CHECKS, activeMqRunSpecOf } from "./scenario-spec.js";

const MASTER_MARK = "activemq.broker.master";
const DUPLICATE_MARK = "activemq.broker.duplicate-dropped";
const CANCELLED_MARK = "activemq.store.task-cancelled";
const DEAD_LETTERED_MARK = "activemq.broker.dead-lettered";
const DUPLICATE_SUPPRESSED_MARK = "activemq.consumer.duplicate-suppressed";
const FAILED_ACKNOWLEDGED_MARK = "activemq.consumer.failed-message-acknowledged";

export const activeMqSystem = {
  name: "activemq",
  displayName: "ActiveMQ",
  scenarioSchema: activeMqScenarioSchema,
  estimateRun: estimateActiveMqRun,
  presets: ACTIVEMQ_PRESETS,
  anomalies: ACTIVEMQ_ANOMALIES,
  defaultSafetyChecks: ACTIVEMQ_DEFAULT_SAFETY_CHECKS,
  runSpecOf: (scenario, seed) => activeMqRunSpecOf(scenario, seed),
  run: runActiveMq,
  facts: (spec, result) => {
    const world = worldCounters(result.cluster.world);
    const brokers = new Set(spec.cluster.brokers);
    const store = spec.cluster.database?.server ?? spec.cluster.sharedStore?.server;
    const servers = [...(store === undefined ? [] : [store]), ...spec.cluster.brokers];
    const marks = new Map(result.marks);
    return {
      serverNodes: servers,
      nodeKinds: world.nodeNames.map((name) => ({ name, kind: brokers.has(name) ? "broker" : name === spec.cluster.sharedStore?.server ? "shared store" : name === spec.cluster.database?.server ? "database" : "client" })),
      clientMessageBytes: spec.producers.map((p) => [p.name, p.bodyBytes] as const),
      threads: activeMqBrokerThreads(result.cluster),
      interNode: (bytes, ackedBytes) => interNode(world, bytes, ackedBytes, store),
      world,
      systemNumbers: [
        { name: "became master", value: marks.get(MASTER_MARK) ?? 0, unit: "times" },
        { name: "duplicate sends dropped", value: marks.get(DUPLICATE_MARK) ?? 0, unit: "messages" },
        // Concurrent store-and-dispatch: consumed before the store task ran, so never journaled.
        { name: "stores cancelled by an early ack", value: marks.get(CANCELLED_MARK) ?? 0, unit: "messages" },
        { name: "moved to ActiveMQ.DLQ", value: marks.get(DEAD_LETTERED_MARK) ?? 0, unit: "messages" },
        // checkForDuplicates: a redelivery of what this connection already gave the listener, poison-acked (to the DLQ).
        { name: "redeliveries the client's audit turned away", value: marks.get(DUPLICATE_SUPPRESSED_MARK) ?? 0, unit: "messages" },
        // CLIENT_ACKNOWLEDGE: a message the listener threw on, acknowledged with the next acknowledge().
        { name: "failed messages acknowledged", value: marks.get(FAILED_ACKNOWLEDGED_MARK) ?? 0, unit: "messages" },
      ],
    };
  },
  offeredLoad: (scenario) => scenario.producers.map((producer) => ({ rate: { kind: "constant" as const, perSecond: producer.rate }, count: producer.count })),
  keyNumbers: (summary) => keyNumbers(summary),
  faultTargets: (scenario) => {
    const nodeNames = [...activeMqServerNodeNames(scenario), ...activeMqProducerNodeNames(scenario).flat(), ...activeMqConsumerNodeNames(scenario).flat()];
    return { nodeNames, partitionNodeNames: nodeNames, trafficClasses: [...ACTIVEMQ_TRAFFIC_CLASSES] };
  },
} as const satisfies SystemModel<ActiveMqScenario, ActiveMqRunSpec, ActiveMqRunResult>;

/** Bytes between servers: a shared store's or the database's reads and writes (one store, nothing replicated). */
function interNode(world: WorldCounters, bytes: number, ackedBytes: number, store: string | undefined): NonNullable<RunSummary["interNode"]> {
  const per = (part: number): number => (ackedBytes > 0 ? part / ackedBytes : 0);
  let storageBytes = 0;
  for (const link of world.links) if (link.trafficClass === SHARED_STORE_TRAFFIC || link.trafficClass === LOCK_DATABASE_TRAFFIC) storageBytes += link.bytes;
  return { bytes, perAckedByte: per(bytes), replicationBytes: 0, replicationPerAckedByte: 0, byKind: [{ kind: `store on ${store ?? SHARED_STORE_NODE}`, bytes: storageBytes }] };
}

/** Masterships taken (a failover, or a broker's restart), dead-lettered messages, what the client's audit turned away, failed messages acknowledged, resent sends the producer audit dropped. */
function keyNumbers(summary: RunSummary): string[] {
  const parts: string[] = [];
  const number = (name: string): number => summary.systemNumbers?.find((entry) => entry.name === name)?.value ?? 0;
  const masters = number("became master");
  if (masters > 1) parts.push(`a broker became master ${masters} times`);
  const deadLettered = number("moved to ActiveMQ.DLQ");
  if (deadLettered > 0) parts.push(`${deadLettered} message${deadLettered === 1 ? "" : "s"} moved to ActiveMQ.DLQ`);
  const turnedAway = number("redeliveries the client's audit turned away");
  if (turnedAway > 0) parts.push(`${turnedAway} redelivered message${turnedAway === 1 ? "" : "s"} the client had processed turned away by its duplicate audit (into ActiveMQ.DLQ)`);
  const failedAcknowledged = number("failed messages acknowledged");
  if (failedAcknowledged > 0) parts.push(`${failedAcknowledged} message${failedAcknowledged === 1 ? "" : "s"} the listener failed on acknowledged with the next acknowledge()`);
  const duplicates = number("duplicate sends dropped");
  if (duplicates > 0) parts.push(`${duplicates} resent send${duplicates === 1 ? "" : "s"} dropped as duplicates`);
  return parts;
}
