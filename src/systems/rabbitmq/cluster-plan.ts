/**
 * The static definitions every node knows (cluster metadata: queue
 * declarations, policies, exchanges, bindings) and where each queue starts:
 * a classic queue's home node, a quorum queue's members (three by default,
 * spread so that queue i starts on node i mod N and leaders rotate).
 */
import type { RabbitCpuCosts } from "./cpu-costs.js";
import { assert } from "../../kernel/index.js";
import { policyFor, type Binding, type ExchangeDeclaration, type HaPolicyDefinition, type Policy, type QueueDeclaration, type RabbitMqConfig } from "./config.js";
import type { QueueRecord } from "./queue-record.js";

export interface ClusterPlan {
  nodes: string[];
  queues: QueueDeclaration[];
  policies: Policy[];
  exchanges: ExchangeDeclaration[];
  bindings: Binding[];
  config: RabbitMqConfig;
  /** Erlang schedulers per node (the machine's cores). */
  cores: number;
  /** What each process spends per unit of work (cpu-costs.ts). */
  cpu: RabbitCpuCosts;
  /** Each node's RAM (bytes): what vm_memory_high_watermark is a share of. */
  memoryBytes: number;
}

export const QUORUM_DEFAULT_GROUP_SIZE = 3;

export function haPolicyOf(plan: ClusterPlan, queue: QueueDeclaration): HaPolicyDefinition | null {
  if (queue.type !== "classic") return null;
  return policyFor(queue.name, plan.policies)?.definition ?? null;
}

export function declarationOf(plan: ClusterPlan, queue: string): QueueDeclaration {
  const found = plan.queues.find((q) => q.name === queue);
  assert(found !== undefined, `unknown queue ${queue}`);
  return found;
}

/** The records every node starts from (epoch 0). */
export function initialRecords(plan: ClusterPlan): QueueRecord[] {
  return plan.queues.map((queue, index) => {
    const home = queue.node ?? plan.nodes[index % plan.nodes.length]!;
    assert(plan.nodes.includes(home), `queue ${queue.name}: node ${home} is not in the cluster`);
    if (queue.type === "quorum") {
      const size = Math.min(plan.nodes.length, queue.arguments?.["x-quorum-initial-group-size"] ?? QUORUM_DEFAULT_GROUP_SIZE);
      const start = plan.nodes.indexOf(home);
      const members = Array.from({ length: size }, (_, k) => plan.nodes[(start + k) % plan.nodes.length]!);
      return { name: queue.name, type: "quorum", epoch: 0, master: null, mirrors: [], synced: [], members, leader: home };
    }
    return { name: queue.name, type: "classic", epoch: 0, master: home, mirrors: [], synced: [], members: [], leader: null };
  });
}

/** The queues a publish reaches: the default exchange routes by queue name; direct by binding key; fanout to every bound queue. */
export function route(plan: ClusterPlan, exchange: string, routingKey: string): string[] {
  if (exchange === "") return plan.queues.some((q) => q.name === routingKey) ? [routingKey] : [];
  const declared = plan.exchanges.find((e) => e.name === exchange);
  if (declared === undefined) return [];
  const queues: string[] = [];
  for (const binding of plan.bindings) {
    if (binding.exchange !== exchange) continue;
    if (declared.type === "direct" && (binding.routingKey ?? binding.queue) !== routingKey) continue;
    if (!queues.includes(binding.queue)) queues.push(binding.queue);
  }
  return queues;
}

/** How a publish is named in the history (its send "stream"): the queue for the default exchange, else exchange/routing key. */
export function routeLabel(exchange: string, routingKey: string): string {
  return exchange === "" ? routingKey : `${exchange}/${routingKey}`;
}
