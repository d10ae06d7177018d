/**
 * Each quorum queue member's Raft log as the divergence checker reads
 * replicas (src/checks/divergence.ts): the enqueued messages in log order,
 * each at the position it takes in the queue's message sequence, and as
 * committed what the member's commit index covers. Two members that
 * disagree on a committed message broke Raft's log matching, the safety
 * every quorum queue claims (rabbit_fifo applies committed entries in the
 * same order everywhere). Classic mirrored queues have no such log: GM's
 * ring gives no committed prefix to compare, so they are not snapshot.
 */
import type { ReplicaSnapshot } from "../../checks/log-snapshot.js";
import type { RabbitCluster } from "./cluster.js";

export function quorumReplicaSnapshots(cluster: RabbitCluster): ReplicaSnapshot[] {
  const snapshots: ReplicaSnapshot[] = [];
  for (const queue of cluster.plan.queues) {
    if (queue.type !== "quorum") continue;
    for (const [node, broker] of cluster.brokers) {
      if (!broker.isRunning) continue;
      const raft = broker.roles.quorum.get(queue.name)?.raftMember ?? null;
      if (raft === null) continue;
      const entries: { position: number; idFirst: number; count: number }[] = [];
      let position = 0;
      let committedEnd = 0;
      for (const entry of raft.entries()) {
        const command = entry.command;
        if (command !== null && command.op === "enqueue") {
          entries.push({ position, idFirst: command.segment.idFirst, count: command.segment.count });
          position += command.segment.count;
        }
        if (entry.index <= raft.commitIndex) committedEnd = position;
      }
      snapshots.push({ stream: queue.name, replica: node, entries, committedEnd });
    }
  }
  return snapshots;
}
