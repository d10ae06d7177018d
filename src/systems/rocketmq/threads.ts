/**
 * The RocketMQ CPU the model keeps, as plain data (cpu-costs.ts): each
 * running broker's SendMessageProcessor pool, its put lock (one put at a
 * time: the commit log's serial section) and its PullMessageProcessor pool.
 */
import type { ThreadSummary } from "../../report/run-summary.js";
import type { ProbeThread } from "../../run/system.js";
import type { RocketCluster } from "./cluster.js";

export function rocketBrokerThreads(cluster: RocketCluster): ThreadSummary[] {
  const threads: ThreadSummary[] = [];
  for (const [node, broker] of cluster.brokers) {
    if (!broker.isRunning) continue;
    const use = broker.cpuUse();
    threads.push({ node, thread: "send threads", busyNs: use.sendNs, count: use.sendThreads });
    threads.push({ node, thread: "put lock", busyNs: use.putLockNs, count: 1 });
    threads.push({ node, thread: "pull threads", busyNs: use.pullNs, count: use.pullThreads });
  }
  return threads;
}

export function rocketProbeThreads(cluster: RocketCluster): ProbeThread[] {
  return rocketBrokerThreads(cluster).map((thread) => ({ ...thread, side: "server" }));
}
