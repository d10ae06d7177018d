/**
 * The Kafka threads whose CPU the model keeps (src/systems/kafka/cpu-costs.ts),
 * as plain data: each running broker's request handler pool, busiest network
 * processor and busiest replica fetcher, and each producer's send() thread.
 */
import type { ProbeThread } from "../../run/system.js";
import type { ThreadSummary } from "../../report/run-summary.js";
import type { KafkaCluster } from "./cluster.js";
import type { ProducerDriver } from "./producer-workload.js";

/** Each running broker's request handler pool, busiest processor and busiest replica fetcher. */
export function brokerThreads(cluster: KafkaCluster): ThreadSummary[] {
  const threads: ThreadSummary[] = [];
  for (const [node, broker] of cluster.brokers) {
    if (!cluster.world.node(node).isProcessAlive) continue;
    const use = broker.cpuUse();
    threads.push({ node, thread: "request handlers", busyNs: use.handlerNs, count: use.handlerThreads });
    threads.push({ node, thread: "busiest processor", busyNs: use.processorNsMax, count: 1 });
    threads.push({ node, thread: "busiest replica fetcher", busyNs: use.fetcherNsMax, count: 1 });
  }
  return threads;
}

/** The brokers' threads and every producer's send() thread (the caller's CPU for serializing and batching). */
export function probeThreads(cluster: KafkaCluster, drivers: readonly ProducerDriver[]): ProbeThread[] {
  const threads: ProbeThread[] = brokerThreads(cluster).map((thread) => ({ ...thread, side: "server" }));
  for (const driver of drivers) threads.push({ node: driver.workload.name, thread: "send() thread", busyNs: driver.producer?.caller.cpuNs ?? 0, count: 1, side: "client" });
  return threads;
}

/** The producers' gauges: requests in flight over all their connections, and how many have a full buffer pool (send() blocks). */
export function producerGauges(drivers: readonly ProducerDriver[]): Record<string, number> {
  let inFlight = 0;
  let bufferFull = 0;
  for (const driver of drivers) {
    inFlight += driver.producer?.inFlightCount() ?? 0;
    if (driver.producer?.bufferPool.isFull === true) bufferFull++;
  }
  return { "producer requests in flight": inFlight, "producers with a full buffer pool": bufferFull };
}
