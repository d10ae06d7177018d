/**
 * Builds a RabbitMQ cluster in a world: nodes r1..rN running RabbitBroker,
 * plus client nodes, all on one network.
 */
import type { Kernel } from "../../kernel/index.js";
import type { NetworkOptions } from "../../world/network.js";
import { World } from "../../world/world.js";
import { CORES_DEFAULT, cpuCostsFor, type RabbitCpuCosts } from "./cpu-costs.js";
import { MEMORY_DEFAULT_BYTES } from "./resource-alarms.js";
import { RabbitBroker } from "./broker.js";
import type { ClusterPlan } from "./cluster-plan.js";
import { hasClassicMirroring } from "./classic-persistence.js";
import { DEFAULT_RABBITMQ_CONFIG, policyFor, type Binding, type ExchangeDeclaration, type Policy, type QueueDeclaration, type RabbitMqConfig } from "./config.js";

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
  /** Erlang schedulers per node: the machine's cores (default CORES_DEFAULT). */
  cores?: number;
  /** CPU costs; default: the release's calibration (cpu-costs.ts). */
  cpu?: RabbitCpuCosts;
  /** Each node's RAM in bytes (default MEMORY_DEFAULT_BYTES). */
  memoryBytes?: number;
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
  const config = { ...DEFAULT_RABBITMQ_CONFIG, ...spec.config };
  const plan: ClusterPlan = {
    nodes: nodeNames,
    queues: spec.queues,
    policies: spec.policies ?? [],
    exchanges: spec.exchanges ?? [],
    bindings: spec.bindings ?? [],
    config,
    cores: spec.cores ?? CORES_DEFAULT,
    cpu: spec.cpu ?? cpuCostsFor(config.version),
    memoryBytes: spec.memoryBytes ?? MEMORY_DEFAULT_BYTES,
  };
  checkReleaseSupports(plan);
  const brokers = new Map<string, RabbitBroker>();
  for (const name of nodeNames) {
    const broker = new RabbitBroker(world, kernel, plan);
    brokers.set(name, broker);
    world.install(name, broker);
  }
  return { world, plan, brokers, nodeNames };
}

/** What the release cannot run is bad input, named (the scenario schema reports the same with a path). */
function checkReleaseSupports(plan: ClusterPlan): void {
  const version = plan.config.version;
  for (const queue of plan.queues) {
    if (queue.type !== "classic") continue;
    const policy = policyFor(queue.name, plan.policies);
    if (policy !== null && !hasClassicMirroring(version)) {
      throw new Error(`queue "${queue.name}": policy "${policy.name}" mirrors a classic queue (ha-mode), which RabbitMQ ${version} does not have (classic queue mirroring was removed in 4.0); use version 3.13 or a quorum queue`);
    }
    if (queue.arguments?.["x-queue-version"] === 1 && version === "4.x") {
      throw new Error(`queue "${queue.name}": x-queue-version 1, which RabbitMQ 4.x does not have (classic queues are version 2 only)`);
    }
  }
}
