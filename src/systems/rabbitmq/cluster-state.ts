/**
 * The cluster as a checker sees it after a run: whether every queue is
 * served again, and what each queue still holds (Jepsen's final read: the
 * run drains every queue through its serving replica).
 */
import { compareStrings } from "../../kernel/index.js";
import type { QueueSegment } from "./queue-segment.js";
import type { RabbitCluster } from "./cluster.js";

export interface QueueHolding {
  queue: string;
  /** The node serving it, or null (unavailable). */
  node: string | null;
  segments: QueueSegment[];
}

/** Each queue's serving replica: the running master with the newest record, or the quorum leader. */
export function queueHoldings(cluster: RabbitCluster): QueueHolding[] {
  return cluster.plan.queues.map((queue) => {
    let best: { node: string; epoch: number; segments: QueueSegment[] } | null = null;
    for (const [name, broker] of cluster.brokers) {
      if (!broker.isRunning) continue;
      if (queue.type === "classic") {
        const master = broker.roles.masters.get(queue.name);
        if (master === undefined) continue;
        const epoch = broker.record(queue.name).epoch;
        if (best === null || epoch > best.epoch) best = { node: name, epoch, segments: master.liveSegments() };
      } else {
        const member = broker.roles.quorum.get(queue.name);
        if (member === undefined || !member.isLeader) continue;
        const term = member.raftMember?.term ?? 0;
        if (best === null || term > best.epoch) best = { node: name, epoch: term, segments: member.liveSegments() };
      }
    }
    return { queue: queue.name, node: best?.node ?? null, segments: best?.segments ?? [] };
  });
}

export interface RabbitConvergence {
  isConverged: boolean;
  reasons: string[];
}

export function convergence(cluster: RabbitCluster): RabbitConvergence {
  const reasons: string[] = [];
  for (const [name, broker] of cluster.brokers) if (!broker.isRunning) reasons.push(`node ${name} is not running RabbitMQ`);
  for (const holding of queueHoldings(cluster)) if (holding.node === null) reasons.push(`queue ${holding.queue} has no master or leader`);
  const pairs = new Set<string>();
  for (const [name, broker] of cluster.brokers) {
    if (!broker.isRunning) continue;
    for (const peer of broker.partitionedFrom) pairs.add(name < peer ? `${name} and ${peer}` : `${peer} and ${name}`);
  }
  for (const pair of [...pairs].sort(compareStrings)) reasons.push(`nodes ${pair} stay partitioned (cluster_partition_handling ignore: an operator must restart one side)`);
  return { isConverged: reasons.length === 0, reasons };
}
