/**
 * What the checkers and the liveness test need to know about a cluster at
 * the end of a run: each replica's log (for divergence), the authoritative
 * committed log of each partition (for dirty reads and the final drain), and
 * whether the cluster has converged after healing.
 */
import type { KafkaCluster } from "./cluster.js";
import type { RecordBatch } from "./partition-log.js";

export interface LogEntry {
  position: number;
  idFirst: number;
  count: number;
}

export interface ReplicaSnapshot {
  stream: string;
  replica: string;
  entries: LogEntry[];
  /** Below this offset the replica claims the data is committed (its high watermark). */
  committedEnd: number;
}

function entriesOf(batches: readonly RecordBatch[], endOffset: number): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const batch of batches) {
    if (batch.baseOffset >= endOffset) break;
    entries.push({ position: batch.baseOffset, idFirst: batch.idFirst, count: Math.min(batch.count, endOffset - batch.baseOffset) });
  }
  return entries;
}

/** Every hosted replica's whole log, with its high watermark as the committed end. */
export function replicaSnapshots(cluster: KafkaCluster): ReplicaSnapshot[] {
  const snapshots: ReplicaSnapshot[] = [];
  for (const state of cluster.controller.partitionStates()) {
    for (const name of state.replicas) {
      const replica = cluster.brokers.get(name)?.replica(state.topicPartition);
      if (replica === undefined) continue;
      snapshots.push({
        stream: state.topicPartition,
        replica: name,
        entries: entriesOf(replica.log.batches, replica.log.logEndOffset),
        committedEnd: replica.highWatermark,
      });
    }
  }
  return snapshots;
}

/** The committed log of each partition as its current leader holds it (up to its high watermark). */
export function finalLogs(cluster: KafkaCluster): Map<string, LogEntry[]> {
  const logs = new Map<string, LogEntry[]>();
  for (const state of cluster.controller.partitionStates()) {
    if (state.leader === null) continue;
    const replica = cluster.brokers.get(state.leader)?.replica(state.topicPartition);
    if (replica === undefined || !replica.isLeader) continue;
    logs.set(state.topicPartition, entriesOf(replica.log.batches, replica.highWatermark));
  }
  return logs;
}

/** Record-batch bytes in the followers' logs (every replica but the partition's leader): what replication copied, when nothing was truncated. */
export function followerRecordBytes(cluster: KafkaCluster): number {
  let bytes = 0;
  for (const state of cluster.controller.partitionStates()) {
    for (const name of state.replicas) {
      if (name === state.leader) continue;
      const replica = cluster.brokers.get(name)?.replica(state.topicPartition);
      if (replica !== undefined) for (const batch of replica.log.batches) bytes += batch.bytes;
    }
  }
  return bytes;
}

export interface Convergence {
  isConverged: boolean;
  /** Why not, in words, for the liveness report. */
  reasons: string[];
}

/**
 * Converged: every partition has a live leader that knows it leads, every
 * replica is back in the ISR, and every replica's log end equals the
 * leader's high watermark equals the leader's log end.
 */
export function convergence(cluster: KafkaCluster): Convergence {
  const reasons: string[] = [];
  for (const state of cluster.controller.partitionStates()) {
    const tp = state.topicPartition;
    if (state.leader === null) {
      reasons.push(`${tp}: no leader`);
      continue;
    }
    const leader = cluster.brokers.get(state.leader)?.replica(tp);
    if (leader === undefined || !leader.isLeader || leader.leaderEpoch !== state.leaderEpoch) {
      reasons.push(`${tp}: ${state.leader} does not lead epoch ${state.leaderEpoch} yet`);
      continue;
    }
    if (state.isr.length !== state.replicas.length) reasons.push(`${tp}: ISR ${state.isr.join(",")} of ${state.replicas.join(",")}`);
    const end = leader.log.logEndOffset;
    if (leader.highWatermark !== end) reasons.push(`${tp}: high watermark ${leader.highWatermark} < log end ${end}`);
    for (const name of state.replicas) {
      const replica = cluster.brokers.get(name)?.replica(tp);
      if (replica === undefined) continue;
      if (replica.log.logEndOffset !== end) reasons.push(`${tp}: ${name} at ${replica.log.logEndOffset}, leader at ${end}`);
      // Same end is not the same log: every batch's offset, epoch and messages must match the leader's.
      else if (replica.log.contentDigest !== leader.log.contentDigest) reasons.push(`${tp}: ${name} ends at ${end} like the leader but holds other batches`);
    }
  }
  return { isConverged: reasons.length === 0, reasons };
}
