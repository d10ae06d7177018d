/**
 * End-to-end latency as one consumer saw it, read off a History: from a
 * send() to the consumer's delivery of it (not to its effect, which
 * history-metrics.ts measures).
 */
import type { History } from "../history/history.js";

/**
 * Send-to-delivery latencies (ns) as one consumer saw them: one sample per
 * delivery to `client` whose first message starts a send made at or after
 * `sentFromNs` (after the consumer settled). Deliveries to other clients,
 * such as a run's final read, are not counted.
 */
export function deliveryLatenciesNs(history: History, client: string, sentFromNs: number): number[] {
  const sentAtNs = new Map<number, number>();
  const latencies: number[] = [];
  for (const event of history.events) {
    if (event.type === "send") sentAtNs.set(event.idFirst, event.timeNs);
    else if (event.type === "deliver" && event.client === client) {
      const sent = sentAtNs.get(event.idFirst);
      if (sent !== undefined && sent >= sentFromNs) latencies.push(event.timeNs - sent);
    }
  }
  return latencies;
}
