/**
 * One comparison point: run it through the system registry and read, over
 * the steady-state window, what the producers had acknowledged, what the
 * consumers received, the latencies of the messages sent in the window
 * (send → acknowledgement, send → first delivery; HDR histograms), and what
 * limited the point: the busiest of the servers' disks (device busy time),
 * NICs, CPU (cores or schedulers where threads share them, each serial
 * thread on its own) and ActiveMQ's store task thread (its CPU and its
 * fsync waits), named when at or above 80% of capacity. Everything comes
 * from the simulation's counters; seeds are fixed.
 */
import type { History } from "../../src/history/history.js";
import { newLatencyHistogram, percentileNs } from "../../src/history/latency-histogram.js";
import type { RunProbe } from "../../src/run/system.js";
import { systemNamed } from "../../src/systems/index.js";
import { MODEL_NAMES, type PointParams } from "./settings.js";
import { specOf } from "./specs.js";

const SECOND = 1_000_000_000;
/** At or above this share of its capacity a resource is named the limit (src/sweep/bottleneck.ts's threshold). */
const SATURATED = 0.8;
/** Below this share of the offered load, with nothing saturated, the clients' in-flight sends limited the point. */
const CARRIED_MIN = 0.9;
/** Every machine's NIC: 10 GbE each way (the world's default). */
const NIC_BYTES_PER_SEC = 1_250_000_000;
const STORE_THREAD = "store task thread (CPU and fsync waits)";
const CANCELLED_MARK = "activemq.store.task-cancelled";
/** Every system's final read (after the workload) records deliveries under this client: not a consumer's. */
const FINAL_READER = "final-reader";

export interface Utilisation {
  resource: string;
  share: number;
}

export interface ComparePoint extends PointParams {
  ackedMessagesPerSec: number;
  deliveredMessagesPerSec: number;
  /** Send → acknowledgement, of messages sent in the window; null when none was acknowledged. */
  produceP50Ns: number | null;
  produceP99Ns: number | null;
  /** Send → first delivery to a consumer; null without consumers. */
  endToEndP50Ns: number | null;
  endToEndP99Ns: number | null;
  /** ActiveMQ: sends whose store task an ack cancelled, of those acknowledged (0 elsewhere). */
  storesCancelledShare: number;
  /** The three busiest resources over the window, busiest first. */
  busiest: Utilisation[];
  limitedBy: string;
  digest: string;
  events: number;
  wallMs: number;
}

export function measurePoint(point: PointParams, wallClockMs: () => number): ComparePoint {
  const model = systemNamed(MODEL_NAMES[point.system]);
  const spec = specOf(point);
  const startedMs = wallClockMs();
  const result = model.run(spec as never);
  const wallMs = wallClockMs() - startedMs;
  const [from, to] = result.probes;
  if (from === undefined || to === undefined) throw new Error(`compare point (${point.system}, ${point.disk}) stopped early: ${result.stopReason}`);
  const servers = model.facts(spec as never, result).serverNodes;
  const windowNs = point.timing.windowToNs - point.timing.windowFromNs;
  const tally = tallyHistory(result.history, point);
  const cancelled = result.marks.find(([name]) => name === CANCELLED_MARK)?.[1] ?? 0;
  // ActiveMQ's store task thread gates the producers only when it stores what they send: with consumers acking first,
  // most tasks are cancelled unrun and the producers are answered at the ack, whatever the thread is doing.
  const isStoreThreadGating = cancelled < 0.5 * tally.ackedInRun;
  const all = utilisations(from, to, servers, windowNs);
  // Not gating, the store thread and the journal's disk stay in the table but are not named the limit.
  const busiest = isStoreThreadGating ? all : all.filter((entry) => !entry.resource.includes(STORE_THREAD) && !entry.resource.endsWith(" disk"));
  const ackedMessagesPerSec = tally.acked / (windowNs / SECOND);
  return {
    ...point,
    ackedMessagesPerSec,
    deliveredMessagesPerSec: tally.delivered / (windowNs / SECOND),
    ...tally.latency,
    busiest: all.slice(0, 3),
    storesCancelledShare: tally.ackedInRun === 0 ? 0 : Math.min(1, cancelled / tally.ackedInRun),
    limitedBy: limitOf(busiest, ackedMessagesPerSec / point.offeredMessagesPerSec),
    digest: result.digest,
    events: result.events,
    wallMs,
  };
}

/** Acknowledged and delivered messages in the window, and the latencies of the messages sent in it. */
function tallyHistory(history: History, point: PointParams) {
  const { windowFromNs, windowToNs } = point.timing;
  // Send time by message id (ids are dense), -1 for messages sent outside the window or already delivered.
  let idMax = 0;
  for (const event of history.events) if (event.type === "send") idMax = Math.max(idMax, event.idFirst + event.count);
  const sentAtNs = new Float64Array(idMax + 1).fill(-1);
  const isDelivered = new Uint8Array(idMax + 1);
  const produce = newLatencyHistogram();
  const endToEnd = newLatencyHistogram();
  let acked = 0;
  let ackedInRun = 0;
  let delivered = 0;
  for (const event of history.events) {
    const isInWindow = event.timeNs >= windowFromNs && event.timeNs < windowToNs;
    if (event.type === "send") {
      if (isInWindow) sentAtNs.fill(event.timeNs, event.idFirst, event.idFirst + event.count);
    } else if (event.type === "send-result" && event.outcome === "ok") {
      if (isInWindow) acked += event.count;
      ackedInRun += event.count;
      for (let id = event.idFirst; id < event.idFirst + event.count; id++) {
        const sentNs = sentAtNs[id] ?? -1;
        if (sentNs >= 0) produce.recordValue(Math.max(1, event.timeNs - sentNs));
      }
    } else if (event.type === "deliver" && event.client !== FINAL_READER) {
      if (isInWindow) delivered += event.count;
      for (let id = event.idFirst; id < event.idFirst + event.count; id++) {
        const sentNs = sentAtNs[id] ?? -1;
        // Only the first delivery counts: a redelivery is not the message's latency.
        if (sentNs < 0 || isDelivered[id] === 1) continue;
        isDelivered[id] = 1;
        endToEnd.recordValue(Math.max(1, event.timeNs - sentNs));
      }
    }
  }
  const percentile = percentileNs;
  const latency = { produceP50Ns: percentile(produce, 50), produceP99Ns: percentile(produce, 99), endToEndP50Ns: percentile(endToEnd, 50), endToEndP99Ns: percentile(endToEnd, 99) };
  produce.destroy();
  endToEnd.destroy();
  return { acked, ackedInRun, delivered, latency };
}

/** Every server resource's share of its capacity over the window, busiest first (ties by name). */
export function utilisations(from: RunProbe, to: RunProbe, servers: readonly string[], windowNs: number): Utilisation[] {
  const found: Utilisation[] = [];
  const isServer = new Set(servers);
  for (const disk of to.world.disks) {
    if (!isServer.has(disk.node)) continue;
    const before = from.world.disks.find((entry) => entry.node === disk.node)!.stats;
    found.push({ resource: `${disk.node} disk`, share: (disk.stats.busyNs - before.busyNs) / windowNs });
  }
  const nicBytes = (probe: RunProbe, node: string, side: "from" | "to"): number => probe.world.links.reduce((sum, link) => (link[side] === node ? sum + link.bytes : sum), 0);
  for (const node of servers) {
    const seconds = windowNs / SECOND;
    found.push({ resource: `${node} NIC egress`, share: (nicBytes(to, node, "from") - nicBytes(from, node, "from")) / (NIC_BYTES_PER_SEC * seconds) });
    found.push({ resource: `${node} NIC ingress`, share: (nicBytes(to, node, "to") - nicBytes(from, node, "to")) / (NIC_BYTES_PER_SEC * seconds) });
  }
  for (const thread of to.threads) {
    if (thread.side !== "server" || !isServer.has(thread.node)) continue;
    const before = from.threads.find((entry) => entry.node === thread.node && entry.thread === thread.thread)?.busyNs ?? 0;
    const isMachine = thread.thread === "cores" || thread.thread === "schedulers";
    const name = isMachine ? `CPU (${thread.count} ${thread.thread})` : `${thread.thread}${thread.count > 1 ? ` (${thread.count})` : ""} CPU`;
    found.push({ resource: `${thread.node} ${name}`, share: (thread.busyNs - before) / (Math.max(1, thread.count) * windowNs) });
  }
  for (const [gauge, value] of Object.entries(to.gauges)) {
    if (!gauge.endsWith(".storeTaskFsyncWaitNs")) continue;
    const node = gauge.slice(0, -".storeTaskFsyncWaitNs".length);
    const cpu = to.threads.find((entry) => entry.node === node && entry.thread === "store task thread");
    const cpuBefore = from.threads.find((entry) => entry.node === node && entry.thread === "store task thread");
    const busyNs = value - (from.gauges[gauge] ?? 0) + (cpu?.busyNs ?? 0) - (cpuBefore?.busyNs ?? 0);
    found.push({ resource: `${node} ${STORE_THREAD}`, share: busyNs / windowNs });
  }
  return found.sort((a, b) => b.share - a.share || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

const percent = (share: number): string => `${Math.round(share * 100)}%`;

function limitOf(busiest: readonly Utilisation[], carriedShare: number): string {
  const top = busiest[0];
  if (top !== undefined && top.share >= SATURATED) return `${top.resource} (${percent(top.share)})`;
  const busiestText = top === undefined ? "" : `; busiest: ${top.resource} ${percent(top.share)}`;
  if (carriedShare < CARRIED_MIN) return `the clients' sends in flight (no resource at ${percent(SATURATED)}${busiestText})`;
  return `nothing: the offered load was carried${busiestText}`;
}
