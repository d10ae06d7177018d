/**
 * A RocketMQ cluster on a world: NameServers (ns1, ns2, …), broker groups
 * broker-a, broker-b, … each with a master (node a0, b0, …) and its slaves
 * (a1, a2, …), and the client nodes. The three deployments of the sources
 * are this one shape: multi-master (no slaves), multi-master multi-slave
 * with asynchronous replication (ASYNC_MASTER), and synchronous double
 * write (SYNC_MASTER); DLedger groups are not modelled yet.
 */
import type { Kernel } from "../../kernel/index.js";
import type { NetworkOptions } from "../../world/network.js";
import { World } from "../../world/world.js";
import { RocketBroker } from "./broker.js";
import { DEFAULT_BROKER_CONFIG, DEFAULT_NAMESRV_CONFIG, type RocketBrokerConfig, type RocketNamesrvConfig } from "./config.js";
import { DEFAULT_ROCKET_CPU_COSTS, type RocketCpuCosts } from "./cpu-costs.js";
import { RocketNameServer } from "./nameserver.js";
import { RouteLog } from "./route-log.js";

export const CLUSTER_NAME = "DefaultCluster";

export interface RocketClusterSpec {
  nameServers: number;
  /** Broker groups (broker-a, broker-b, …). */
  brokerGroups: number;
  slavesPerGroup: number;
  /** Every master's settings (brokerRole ASYNC_MASTER or SYNC_MASTER); slaves take the same with brokerRole SLAVE. */
  broker?: Partial<RocketBrokerConfig>;
  namesrv?: Partial<RocketNamesrvConfig>;
  topics: readonly { name: string; queueNums: number }[];
  network?: Partial<NetworkOptions>;
  disk?: string;
  clients?: readonly string[];
  cpu?: Partial<RocketCpuCosts>;
}

export interface RocketGroupNodes {
  brokerName: string;
  /** Node names by brokerId: [master, slave 1, …]. */
  nodes: string[];
}

export interface RocketCluster {
  world: World;
  nameServerNodes: string[];
  groups: RocketGroupNodes[];
  brokers: Map<string, RocketBroker>;
  nameServers: Map<string, RocketNameServer>;
  brokerConfig: RocketBrokerConfig;
  topics: RocketClusterSpec["topics"];
  /** When brokers were dropped and taken back, and when clients' routes changed (clients write to it too). */
  routeLog: RouteLog;
}

export function groupLetter(index: number): string {
  return String.fromCharCode("a".charCodeAt(0) + index);
}

/** The groups' node names, by the spec alone (a0, a1, b0, …). */
export function rocketGroups(spec: Pick<RocketClusterSpec, "brokerGroups" | "slavesPerGroup">): RocketGroupNodes[] {
  return Array.from({ length: spec.brokerGroups }, (_, g) => ({
    brokerName: `broker-${groupLetter(g)}`,
    nodes: Array.from({ length: spec.slavesPerGroup + 1 }, (_, id) => `${groupLetter(g)}${id}`),
  }));
}

export function nameServerNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `ns${k + 1}`);
}

export function buildRocketCluster(kernel: Kernel, spec: RocketClusterSpec): RocketCluster {
  const nameServerNodes = nameServerNodeNames(spec.nameServers);
  const groups = rocketGroups(spec);
  const brokerNodes = groups.flatMap((group) => group.nodes);
  const world = new World({
    kernel,
    nodes: [...nameServerNodes, ...brokerNodes, ...(spec.clients ?? [])].map((name) => ({ name })),
    ...(spec.network === undefined ? {} : { network: spec.network }),
    ...(spec.disk === undefined ? {} : { disk: spec.disk }),
  });
  const brokerConfig: RocketBrokerConfig = { ...DEFAULT_BROKER_CONFIG, ...spec.broker };
  const namesrvConfig: RocketNamesrvConfig = { ...DEFAULT_NAMESRV_CONFIG, ...spec.namesrv };
  const cpu: RocketCpuCosts = { ...DEFAULT_ROCKET_CPU_COSTS, ...spec.cpu };
  const nameServers = new Map<string, RocketNameServer>();
  const routeLog = new RouteLog();
  for (const name of nameServerNodes) {
    const server = new RocketNameServer(world, namesrvConfig, routeLog);
    nameServers.set(name, server);
    world.install(name, server);
  }
  const brokers = new Map<string, RocketBroker>();
  for (const group of groups) {
    group.nodes.forEach((node, brokerId) => {
      // DLedger mode: every member the same; the election decides the master.
      const isDLedger = brokerConfig.enableDLegerCommitLog;
      const config: RocketBrokerConfig = brokerId === 0 || isDLedger ? brokerConfig : { ...brokerConfig, brokerRole: "SLAVE" };
      const dLedger = isDLedger ? { dLegerPeers: group.nodes } : {};
      const broker = new RocketBroker(world, { clusterName: CLUSTER_NAME, brokerName: group.brokerName, brokerId, config, topics: spec.topics, nameServers: nameServerNodes, cpu, ...dLedger });
      brokers.set(node, broker);
      world.install(node, broker);
    });
  }
  return { world, nameServerNodes, groups, brokers, nameServers, brokerConfig, topics: spec.topics, routeLog };
}
