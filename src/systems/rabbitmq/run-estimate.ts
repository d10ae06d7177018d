/**
 * What a RabbitMQ run of a scenario will cost, estimated before it runs
 * (src/scenario/run-estimate.ts says why). Measured (dist builds, Node 20,
 * presets and stress scenarios, 2026-12):
 * - RabbitMQ, idle: ~51 events/s per quorum queue (Raft heartbeats), ~0 for
 *   classic queues. Per publish: 7 events (one node, no consumer) to 40
 *   (mirror-all on five nodes), ~10 more per consuming group; history 3
 *   records plus 2 per consuming group; 560 B (classic) to 2 KB (five
 *   replicas) of heap.
 */
import { BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, horizonSeconds, type RunEstimate } from "../../scenario/run-estimate.js";
import type { RabbitScenario } from "./scenario-schema.js";

const RABBIT_EVENTS_PER_SEC_PER_QUORUM_QUEUE = 55;
const RABBIT_EVENTS_PER_PUBLISH_BASE = 8;
const RABBIT_EVENTS_PER_PUBLISH_PER_REPLICA = 8;
const RABBIT_EVENTS_PER_PUBLISH_PER_GROUP = 10;
const RABBIT_BYTES_PER_PUBLISH_PER_REPLICA = 200;

/** Replicas of a queue: a quorum queue's group (3 by default), a classic queue's master and the mirrors a policy may give it. */
function rabbitReplicas(scenario: RabbitScenario, queue: RabbitScenario["queues"][number]): number {
  const nodes = scenario.cluster.nodes;
  if (queue.type === "quorum") return Math.min(nodes, queue.arguments["x-quorum-initial-group-size"] ?? 3);
  // An upper bound: any matching ha policy may mirror it to every node.
  const isMirrored = scenario.policies.some((policy) => safeTest(policy.pattern, queue.name));
  return isMirrored ? nodes : 1;
}

function safeTest(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name);
  } catch {
    return false;
  }
}

export function estimateRabbitRun(scenario: RabbitScenario): RunEstimate {
  const seconds = horizonSeconds(scenario);
  const quorumQueues = scenario.queues.filter((queue) => queue.type === "quorum").length;
  const backgroundEvents = RABBIT_EVENTS_PER_SEC_PER_QUORUM_QUEUE * quorumQueues * seconds;
  const replicasMax = Math.max(1, ...scenario.queues.map((queue) => rabbitReplicas(scenario, queue)));
  const groups = new Set(scenario.consumers.map((consumer) => consumer.group ?? consumer.queue)).size;
  let publishes = 0;
  for (const publisher of scenario.publishers) publishes += ((publisher.rate.perSecond * publisher.count) / publisher.batch) * (scenario.duration / 1e9);
  const events = backgroundEvents + publishes * (RABBIT_EVENTS_PER_PUBLISH_BASE + RABBIT_EVENTS_PER_PUBLISH_PER_REPLICA * (replicasMax - 1) + RABBIT_EVENTS_PER_PUBLISH_PER_GROUP * groups);
  // send, send-result, one read back at the end, and per group a delivery and an effect.
  const historyRecords = publishes * (3 + 2 * groups);
  const memoryBytes = BASELINE_BYTES + historyRecords * HISTORY_BYTES_PER_RECORD + publishes * replicasMax * RABBIT_BYTES_PER_PUBLISH_PER_REPLICA;
  return { batches: publishes, events, backgroundEvents, historyRecords, memoryBytes };
}
