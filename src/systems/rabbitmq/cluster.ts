/**
 * Builds a RabbitMQ cluster in a world: nodes r1..rN running RabbitBroker,
 * plus client nodes, all on one network.
 */
import type { Kernel } from "../../kernel/kernel.js";
import type { NetworkOptions } from "../../world/network.js";
import { World } from "../../world/world.js";
import { RabbitBroker } from "./broker.js";
import type { ClusterPlan } from "./cluster-plan.js";
import { DEFAULT_RABBITMQ_CONFIG, type Binding, type ExchangeDeclaration, type Policy, type QueueDeclaration, type RabbitMqConfig } from "./config.js";

export interface RabbitClusterSpec {
  nodes: number;
  queues: QueueDeclaration[];
  policies?: Policy[];
  exchanges?: ExchangeDeclaration[];
  bindings?: Binding[];
  config?: Partial<RabbitMqConfig>;
  network?: Partial<NetworkOptions>;
  disk?: string;
  clients?: string[];
}

export interface RabbitCluster {
  world: World;
  plan: ClusterPlan;
  brokers: Map<string, RabbitBroker>;
  nodeNames: string[];
}

export function rabbitNodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `r${i + 1}`);
}

export function buildRabbitCluster(kernel: Kernel, spec: RabbitClusterSpec): RabbitCluster {
  const nodeNames = rabbitNodeNames(spec.nodes);
  const world = new World({
    kernel,
    nodes: [...nodeNames, ...(spec.clients ?? [])].map((name) => ({ name })),
    ...(spec.network === undefined ? {} : { network: spec.network }),
    ...(spec.disk === undefined ? {} : { disk: spec.disk }),
  });
  const plan: ClusterPlan = {
    nodes: nodeNames,
    queues: spec.queues,
    policies: spec.policies ?? [],
    exchanges: spec.exchanges ?? [],
    bindings: spec.bindings ?? [],
    config: { ...DEFAULT_RABBITMQ_CONFIG, ...spec.config },
  };
  const brokers = new Map<string, RabbitBroker>();
  for (const name of nodeNames) {
    const broker = new RabbitBroker(world, kernel, plan);
    brokers.set(name, broker);
    world.install(name, broker);
  }
  return { world, plan, brokers, nodeNames };
}
