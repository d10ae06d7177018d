/**
 * Builds a Kafka cluster in a world: brokers b1..bN, one controller node, and
 * client nodes; topics with replicas spread evenly (partition p's replicas are
 * brokers p, p+1, … modulo N, so preferred leaders rotate), as Kafka's
 * rack-unaware assignment does.
 */
import { compareStrings } from "../../kernel/index.js";
import { assert } from "../../kernel/index.js";
import type { Kernel } from "../../kernel/index.js";
import type { NetworkOptions } from "../../world/network.js";
import { World, type WorldOptions } from "../../world/world.js";
import { DEFAULT_CPU_COSTS, type KafkaCpuCosts } from "./cpu-costs.js";
import type { DiskProfile } from "../../world/disk-profile.js";
import { DEFAULT_BROKER_CONFIG, type KafkaBrokerConfig } from "./config.js";
import { KafkaBroker } from "./broker.js";
import { KafkaController } from "./controller.js";
import { GroupCoordinator } from "./group-coordinator.js";
import { topicPartition, type PartitionState } from "./protocol.js";

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
}

export interface KafkaClusterSpec {
  brokers: number;
  /**
   * broker.rack of each broker, b1 first (optional). With racks, replicas
   * are placed rack-aware as Kafka does: consecutive replicas of a partition
   * land on different racks whenever there are enough racks.
   */
  racks?: string[];
  topics: TopicSpec[];
  config?: Partial<KafkaBrokerConfig>;
  /** Names of client nodes to add (producers, consumers). */
  clients?: string[];
  network?: Partial<NetworkOptions>;
  disk?: string | DiskProfile;
  /** What the brokers' threads spend per unit of work (cpu-costs.ts); Kreps 2014's calibration by default. */
  cpu?: Partial<KafkaCpuCosts>;
  /** Page-cache tuning of every node's disk (dirty limits, page cache size); defaults otherwise. */
  diskOptions?: WorldOptions["diskOptions"];
}

export interface KafkaCluster {
  world: World;
  controller: KafkaController;
  /** The consumer group coordinator; it runs on the controller node (COORDINATOR_NODE). */
  coordinator: GroupCoordinator;
  brokers: Map<string, KafkaBroker>;
  brokerNames: string[];
  config: KafkaBrokerConfig;
}

export const CONTROLLER_NODE = "controller";
/** mqsim runs the group coordinator next to the controller (see group-coordinator.ts). */
export const COORDINATOR_NODE = CONTROLLER_NODE;

/**
 * Kafka's rack-aware ordering (AdminUtils.getRackAlternatedBrokerList): take
 * one broker from each rack in turn (racks sorted by name, brokers in their
 * order), so walking the list round robin alternates racks.
 */
export function rackAlternated(brokerNames: readonly string[], racks: readonly string[]): string[] {
  assert(racks.length === brokerNames.length, `racks: ${racks.length} given for ${brokerNames.length} brokers`);
  const byRack = new Map<string, string[]>();
  brokerNames.forEach((name, k) => {
    const rack = racks[k]!;
    byRack.set(rack, [...(byRack.get(rack) ?? []), name]);
  });
  const columns = [...byRack.keys()].sort(compareStrings).map((rack) => byRack.get(rack)!);
  const ordered: string[] = [];
  for (let row = 0; ordered.length < brokerNames.length; row++) {
    for (const column of columns) if (row < column.length) ordered.push(column[row]!);
  }
  return ordered;
}

export function assignReplicas(brokerNames: readonly string[], topics: readonly TopicSpec[]): PartitionState[] {
  const states: PartitionState[] = [];
  for (const topic of topics) {
    assert(topic.replicationFactor >= 1 && topic.replicationFactor <= brokerNames.length, `topic ${topic.name}: replication factor ${topic.replicationFactor} with ${brokerNames.length} brokers`);
    for (let p = 0; p < topic.partitions; p++) {
      const replicas = Array.from({ length: topic.replicationFactor }, (_, k) => brokerNames[(p + k) % brokerNames.length]!);
      // Every partition starts offline; the controller elects as brokers register.
      states.push({ topicPartition: topicPartition(topic.name, p), leader: null, leaderEpoch: 0, partitionEpoch: 0, isr: [...replicas], replicas });
    }
  }
  return states;
}

export function buildKafkaCluster(kernel: Kernel, spec: KafkaClusterSpec): KafkaCluster {
  const config: KafkaBrokerConfig = { ...DEFAULT_BROKER_CONFIG, ...spec.config };
  const brokerNames = Array.from({ length: spec.brokers }, (_, index) => `b${index + 1}`);
  const clients = spec.clients ?? [];
  const world = new World({
    kernel,
    nodes: [...brokerNames, CONTROLLER_NODE, ...clients].map((name) => ({ name })),
    ...(spec.network === undefined ? {} : { network: spec.network }),
    disk: spec.disk ?? "nvme",
    ...(spec.diskOptions === undefined ? {} : { diskOptions: spec.diskOptions }),
  });
  const assignment = assignReplicas(spec.racks === undefined ? brokerNames : rackAlternated(brokerNames, spec.racks), spec.topics);
  const controller = new KafkaController({ world, config, brokers: brokerNames, partitions: assignment.map((state) => ({ ...state, isr: [...state.isr], replicas: [...state.replicas] })) });
  const coordinator = new GroupCoordinator({ world, topics: spec.topics.map((topic) => ({ name: topic.name, partitions: topic.partitions })) });
  // One process runs both services: they start, crash and restart together.
  world.install(CONTROLLER_NODE, {
    start: (node) => {
      controller.start(node);
      coordinator.start(node);
    },
  });
  const brokers = new Map<string, KafkaBroker>();
  for (const name of brokerNames) {
    const broker = new KafkaBroker({ world, config, controller: CONTROLLER_NODE, assignment, cpu: { ...DEFAULT_CPU_COSTS, ...spec.cpu } });
    brokers.set(name, broker);
    world.install(name, broker);
  }
  return { world, controller, coordinator, brokers, brokerNames, config };
}
