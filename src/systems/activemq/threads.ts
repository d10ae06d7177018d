/**
 * The ActiveMQ CPU the model keeps, as plain data (cpu-costs.ts): each
 * master's transport threads (one per client connection, together), its
 * store task thread (and, beside it, the time that thread waited for
 * fsyncs) and its queues' dispatch threads (together), and all of them
 * together on the machine's cores ("cores": their CPU over the core count).
 */
import type { ThreadSummary } from "../../report/run-summary.js";
import type { ProbeThread } from "../../run/system.js";
import type { ActiveMqCluster } from "./run.js";

export function activeMqBrokerThreads(cluster: ActiveMqCluster): ThreadSummary[] {
  const threads: ThreadSummary[] = [];
  for (const [node, broker] of cluster.brokers) {
    const use = broker.cpuUse();
    if (use.transportNs + use.storeTaskNs + use.dispatchNs === 0) continue;
    threads.push({ node, thread: "transport threads", busyNs: use.transportNs, count: Math.max(1, use.transportThreads) });
    threads.push({ node, thread: "store task thread", busyNs: use.storeTaskNs, count: 1 });
    threads.push({ node, thread: "dispatch threads", busyNs: use.dispatchNs, count: Math.max(1, use.dispatchThreads) });
    threads.push({ node, thread: "cores", busyNs: use.transportNs + use.storeTaskNs + use.dispatchNs, count: use.cores });
  }
  return threads;
}

export function activeMqProbeThreads(cluster: ActiveMqCluster): ProbeThread[] {
  return activeMqBrokerThreads(cluster).map((thread) => ({ ...thread, side: "server" }));
}

/** Per broker: how long its store task thread has waited in the journal for fsyncs (a counter: a window is the difference of two probes). */
export function activeMqGauges(cluster: ActiveMqCluster): Record<string, number> {
  const gauges: Record<string, number> = {};
  for (const [node, broker] of cluster.brokers) gauges[`${node}.storeTaskFsyncWaitNs`] = broker.cpuUse().storeTaskBlockedNs;
  return gauges;
}
