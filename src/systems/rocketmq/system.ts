/** RocketMQ as a system of the product layer (src/run/system.ts). */
import type { RunSummary } from "../../report/run-summary.js";
import type { SystemModel } from "../../run/system.js";
import { worldCounters, type WorldCounters } from "../../world/world-counters.js";
import { CLIENT_TRAFFIC } from "./broker-protocol.js";
import { HA_TRAFFIC } from "./ha-protocol.js";
import { NAMESRV_TRAFFIC } from "./namesrv-protocol.js";
import { ROCKET_PRESETS } from "./presets.js";
import { ROCKET_ANOMALIES } from "./anomalies.js";
import { runRocketMq, type RocketRunResult, type RocketRunSpec } from "./run.js";
import { estimateRocketRun } from "./run-estimate.js";
import { rocketConsumerNodeNames, rocketProducerNodeNames, rocketScenarioSchema, rocketServerNodeNames, type RocketScenario } from "./scenario-schema.js";
import { ROCKET_DEFAULT_SAFETY_CHECKS, rocketRunSpecOf } from "./scenario-spec.js";
import { rocketBrokerThreads } from "./threads.js";

export const rocketSystem = {
  name: "rocketmq",
  displayName: "RocketMQ",
  scenarioSchema: rocketScenarioSchema,
  estimateRun: estimateRocketRun,
  presets: ROCKET_PRESETS,
  anomalies: ROCKET_ANOMALIES,
  defaultSafetyChecks: ROCKET_DEFAULT_SAFETY_CHECKS,
  runSpecOf: (scenario, seed) => rocketRunSpecOf(scenario, seed),
  run: runRocketMq,
  facts: (spec, result) => {
    const world = worldCounters(result.cluster.world);
    const brokers = result.cluster.groups.flatMap((group) => group.nodes);
    const nameServers = new Set(result.cluster.nameServerNodes);
    return {
      serverNodes: brokers,
      nodeKinds: world.nodeNames.map((name) => ({ name, kind: nameServers.has(name) ? "nameserver" : brokers.includes(name) ? "broker" : "client" })),
      clientMessageBytes: spec.producers.map((p) => [p.name, p.bodyBytes] as const),
      threads: rocketBrokerThreads(result.cluster),
      interNode: (bytes, ackedBytes) => interNode(world, new Set(brokers), bytes, ackedBytes),
      world,
      systemNumbers: [{ name: "stale route", value: result.cluster.routeLog.staleRouteNsMax() / 1e9, unit: "s" }],
    };
  },
  offeredLoad: (scenario) => scenario.producers.map((producer) => ({ rate: { kind: "constant" as const, perSecond: producer.rate }, count: producer.count })),
  keyNumbers: (summary) => keyNumbers(summary),
  faultTargets: (scenario) => {
    const nodeNames = [...rocketServerNodeNames(scenario), ...rocketProducerNodeNames(scenario).flat(), ...rocketConsumerNodeNames(scenario).flat()];
    return { nodeNames, partitionNodeNames: nodeNames, trafficClasses: [CLIENT_TRAFFIC, HA_TRAFFIC, NAMESRV_TRAFFIC] };
  },
} as const satisfies SystemModel<RocketScenario, RocketRunSpec, RocketRunResult>;

/** Bytes between brokers, and the part that is master→slave replication (the HA port's traffic). */
function interNode(world: WorldCounters, brokers: ReadonlySet<string>, bytes: number, ackedBytes: number): NonNullable<RunSummary["interNode"]> {
  const per = (part: number): number => (ackedBytes > 0 ? part / ackedBytes : 0);
  let replicationBytes = 0;
  for (const link of world.links) if (link.trafficClass === HA_TRAFFIC && brokers.has(link.from) && brokers.has(link.to)) replicationBytes += link.bytes;
  return { bytes, perAckedByte: per(bytes), replicationBytes, replicationPerAckedByte: per(replicationBytes) };
}

/** Sends answered other than SEND_OK, and replication bytes per acknowledged byte: what tells RocketMQ's deployments apart. */
function keyNumbers(summary: RunSummary): string[] {
  const parts: string[] = [];
  const stale = summary.systemNumbers?.find((number) => number.name === "stale route")?.value ?? 0;
  if (stale > 0) parts.push(`a client kept a dropped broker in its route ${stale.toFixed(1)} s`);
  const inter = summary.interNode;
  if (inter !== undefined && (inter.replicationPerAckedByte ?? 0) > 0) parts.push(`replication ${(inter.replicationPerAckedByte ?? 0).toFixed(2)} B per acked B`);
  return parts;
}

