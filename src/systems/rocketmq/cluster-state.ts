/**
 * What the run asks of a RocketMQ cluster at the end: has it converged
 * (every process up, every NameServer knowing every broker, every slave
 * holding its master's whole commit log), have the consumer groups drained
 * every queue, and what does each queue hold (the final read, from each
 * group's master: the broker consumers and producers go to).
 */
import type { FinalLog, LogEntry } from "../../checks/log-snapshot.js";
import { compareStrings } from "../../kernel/index.js";
import type { RocketCluster } from "./cluster.js";
import type { CommitLog } from "./commit-log.js";
import type { RocketConsumerWorkload, RocketPushConsumer } from "./push-consumer.js";
import { rocketStream } from "./rocket-stream.js";

/** Messages the final read takes from a queue at a time. */
const READ_CHUNK = 100_000;

/** Why the cluster has not converged (none once it has). */
export function rocketConvergence(cluster: RocketCluster): string[] {
  const reasons: string[] = [];
  const { world } = cluster;
  const servers = [...cluster.nameServerNodes, ...cluster.groups.flatMap((group) => group.nodes)];
  for (const name of servers) if (!world.node(name).isProcessAlive) reasons.push(`${name} is down`);
  if (reasons.length > 0) return reasons;
  const brokers = cluster.groups.flatMap((group) => group.nodes);
  for (const [name, server] of cluster.nameServers) {
    const live = new Set(server.liveBrokers());
    const missing = brokers.filter((broker) => !live.has(broker));
    if (missing.length > 0) reasons.push(`NameServer ${name} does not know ${missing.join(", ")}`);
  }
  for (const group of cluster.groups) reasons.push(...(cluster.brokerConfig.enableDLegerCommitLog ? dLedgerReasons(cluster, group.nodes) : slaveReasons(cluster, group.nodes)));
  return reasons;
}

/**
 * The group's master now: brokerId 0 in classic master/slave; in DLedger
 * mode the member DLedger elected (the first node while none leads).
 */
export function groupMaster(cluster: RocketCluster, nodes: readonly string[]): string {
  if (!cluster.brokerConfig.enableDLegerCommitLog) return nodes[0]!;
  return dLedgerLeaders(cluster, nodes)[0] ?? nodes[0]!;
}

/** The members that believe they lead, the highest term first (a deposed leader cut off from the others may still believe it). */
function dLedgerLeaders(cluster: RocketCluster, nodes: readonly string[]): string[] {
  const termOf = (node: string): number => cluster.brokers.get(node)!.dledger?.raft.term ?? -1;
  return nodes.filter((node) => cluster.brokers.get(node)!.dledger?.isLeader === true).sort((a, b) => termOf(b) - termOf(a) || compareStrings(a, b));
}

/** A DLedger group has converged when one member leads, the others follow it, and every member has its whole log committed. */
function dLedgerReasons(cluster: RocketCluster, nodes: readonly string[]): string[] {
  const leaders = dLedgerLeaders(cluster, nodes);
  if (leaders.length !== 1) return [leaders.length === 0 ? `DLedger group ${nodes.join(",")} has no leader` : `DLedger members ${leaders.join(", ")} each believe they lead`];
  const leaderNode = leaders[0]!;
  const leader = cluster.brokers.get(leaderNode)!.dledger!.raft;
  const reasons: string[] = [];
  for (const node of nodes) {
    const raft = cluster.brokers.get(node)!.dledger?.raft;
    if (raft === undefined) continue;
    if (node !== leaderNode && raft.leaderId !== leaderNode) reasons.push(`DLedger member ${node} does not follow the leader ${leaderNode}`);
    else if (raft.commitIndex < leader.lastIndex) reasons.push(`DLedger member ${node} has committed ${raft.commitIndex} of the leader ${leaderNode}'s ${leader.lastIndex} entries`);
  }
  return reasons;
}

/**
 * A slave has converged when its commit log ends where its master's does.
 * One whose log is no longer a prefix of its master's (the master lost what
 * the slave had copied: a power loss, a lost machine) never will: classic
 * master/slave does not reconcile logs, so that is the cluster's final
 * state, not something to wait for (rocketDivergedSlaves names them).
 */
function slaveReasons(cluster: RocketCluster, nodes: readonly string[]): string[] {
  const master = cluster.brokers.get(nodes[0]!)!.store!.commitLog;
  const reasons: string[] = [];
  for (const slaveNode of nodes.slice(1)) {
    const slave = cluster.brokers.get(slaveNode)!.store!.commitLog;
    if (slave.maxOffset < master.maxOffset && isPrefixOf(slave, master)) reasons.push(`slave ${slaveNode} has its master's commit log to ${slave.maxOffset} of ${master.maxOffset}`);
  }
  return reasons;
}

/** Whether `slave`'s log is the start of `master`'s (its last put is the master's put at the same offset). */
function isPrefixOf(slave: CommitLog, master: CommitLog): boolean {
  const last = slave.records[slave.records.length - 1];
  if (last === undefined) return true;
  const at = master.records[master.indexAt(last.physicalOffset)];
  return at !== undefined && at.physicalOffset === last.physicalOffset && at.idFirst === last.idFirst && at.sizeBytes === last.sizeBytes;
}

/** Slaves whose logs are no longer their master's prefix: they hold what their master lost, and replication to them is stuck. */
export function rocketDivergedSlaves(cluster: RocketCluster): string[] {
  const diverged: string[] = [];
  // DLedger reconciles its members' logs (the leader truncates a follower's conflicting suffix).
  if (cluster.brokerConfig.enableDLegerCommitLog) return diverged;
  for (const group of cluster.groups) {
    const master = cluster.brokers.get(group.nodes[0]!)!.store?.commitLog;
    if (master === undefined) continue;
    for (const slaveNode of group.nodes.slice(1)) {
      const slave = cluster.brokers.get(slaveNode)!.store?.commitLog;
      if (slave !== undefined && !isPrefixOf(slave, master)) diverged.push(slaveNode);
    }
  }
  return diverged;
}

/** Why the consumer groups have not drained (none once every queue is consumed to its master's end and every consumer is idle). */
export function rocketDrainReasons(cluster: RocketCluster, workloads: readonly RocketConsumerWorkload[], consumers: readonly RocketPushConsumer[]): string[] {
  const reasons: string[] = [];
  const consumed = new Map<string, Map<string, number>>();
  consumers.forEach((consumer, k) => {
    const group = workloads[k]!.group;
    const offsets = consumed.get(group) ?? new Map<string, number>();
    for (const { stream, offset } of consumer.consumedOffsets()) offsets.set(stream, Math.max(offset, offsets.get(stream) ?? 0));
    consumed.set(group, offsets);
    if (!consumer.isIdle()) reasons.push(`consumer ${workloads[k]!.name} is still consuming`);
  });
  const topicOf = new Map(workloads.map((workload) => [workload.group, workload.topic] as const));
  for (const [group, offsets] of consumed) {
    const topic = topicOf.get(group)!;
    for (const queue of queuesOf(cluster, topic)) {
      const end = cluster.brokers.get(queue.master)!.store!.maxOffsetInQueue(topic, queue.queueId);
      const at = offsets.get(queue.stream) ?? 0;
      if (at < end) reasons.push(`group ${group} has consumed ${queue.stream} to ${at} of ${end}`);
    }
  }
  return reasons;
}

interface QueueRef {
  stream: string;
  master: string;
  queueId: number;
}

function queuesOf(cluster: RocketCluster, topic: string): QueueRef[] {
  const spec = cluster.topics.find((candidate) => candidate.name === topic);
  const queueNums = spec?.queueNums ?? 0;
  return cluster.groups.flatMap((group) => {
    const master = groupMaster(cluster, group.nodes);
    return Array.from({ length: queueNums }, (_, queueId) => ({ stream: rocketStream(topic, group.brokerName, queueId), master, queueId }));
  });
}

/** Every queue of every topic as its group's master holds it: what consumers read, and the final read's log. */
export function rocketFinalLogs(cluster: RocketCluster): FinalLog[] {
  const logs: FinalLog[] = [];
  for (const topic of cluster.topics) {
    for (const queue of queuesOf(cluster, topic.name)) logs.push({ stream: queue.stream, entries: queueEntries(cluster, queue.master, topic.name, queue.queueId) });
  }
  return logs;
}

/**
 * What the cluster still holds anywhere, Jepsen's final read: each queue as
 * its master holds it, and the messages only a slave still holds (its
 * master lost them: a power loss, a lost machine). Consumers read masters
 * only, so those are readable by an operator, not by the system: a consumer
 * group is held to what it got, the final read to what survives.
 */
export function rocketFinalRead(cluster: RocketCluster): FinalLog[] {
  const reads: FinalLog[] = [];
  for (const topic of cluster.topics) {
    for (const queue of queuesOf(cluster, topic.name)) {
      const entries = queueEntries(cluster, queue.master, topic.name, queue.queueId);
      const held = new Set(entries.map((entry) => entry.idFirst));
      const group = cluster.groups.find((candidate) => candidate.nodes.includes(queue.master))!;
      for (const slave of group.nodes) {
        if (slave === queue.master) continue;
        for (const entry of queueEntries(cluster, slave, topic.name, queue.queueId)) {
          if (!held.has(entry.idFirst)) entries.push(entry);
          held.add(entry.idFirst);
        }
      }
      reads.push({ stream: queue.stream, entries });
    }
  }
  return reads;
}

function queueEntries(cluster: RocketCluster, node: string, topic: string, queueId: number): LogEntry[] {
  const store = cluster.brokers.get(node)!.store;
  const entries: LogEntry[] = [];
  if (store === null) return entries;
  const end = store.maxOffsetInQueue(topic, queueId);
  for (let offset = 0; offset < end; ) {
    const result = store.getMessage(topic, queueId, offset, READ_CHUNK);
    if (result.status !== "FOUND") break;
    for (const range of result.ranges) entries.push({ position: range.queueOffset, idFirst: range.idFirst, count: range.count });
    offset = result.nextBeginOffset;
  }
  return entries;
}
