/**
 * Naming the saturated resource of a maximum-throughput point from its
 * measurements, by one rule for every design:
 *
 * 1. the busiest resource (NIC direction, disk, CPU if the model has one),
 *    if it is at ≥ 80 % of its capacity over the steady-state window
 *    (src/sweep/bottleneck.ts's threshold), with how many machines share
 *    that state ("b3 NIC ingress 97% (9 of 9 brokers ≥ 80%)"); a client-side
 *    resource is called a producer-side limit;
 * 2. else, when the producers carried under 90 % of what they offered and
 *    their in-flight windows were in use ≥ 80 % of the time (the same
 *    threshold): the producers' in-flight request window;
 * 3. else, when they carried under 90 % and their buffer.memory was full
 *    ≥ 80 % of the time (send() blocked): the producers' buffer.memory —
 *    every batch it can hold is waiting for an answer;
 * 4. else, when they carried under 90 %: no resource named, with the busiest;
 * 5. else: nothing saturated, the offered load was carried.
 *
 * Shares come from counters over the window: NIC bytes (counted when the
 * sender queues a packet) ÷ (NIC bandwidth × window), disk busy time ÷
 * window. Counting at queueing time lets a saturated NIC read a little over
 * 100 %.
 */
import { SATURATED } from "../../src/sweep/bottleneck.js";
import type { NicSpec } from "../../src/world/network-options.js";
import type { ResourceUse, SaturationThroughput } from "./design.js";
import type { CountersSnapshot } from "./traffic.js";

/** Below this share of the offered load the producers did not get everything through. */
const CARRIED_MIN = 0.9;
/** At or above this mean use of the in-flight window it counts as saturated, by the same threshold as every other resource. */
const WINDOW_FULL = SATURATED;

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** "97%", or "0.4%" for a small share, so an idle resource does not read as exactly 0. */
export function percent(share: number): string {
  return share < 0.095 ? `${(share * 100).toFixed(1)}%` : `${Math.round(share * 100)}%`;
}

/** Every NIC direction (every node) and disk (server nodes) over [before, after], busiest first, ties by name. */
export function resourcesBetween(before: CountersSnapshot, after: CountersSnapshot, nic: NicSpec, roles: { servers: ReadonlySet<string>; clients: ReadonlySet<string> }): ResourceUse[] {
  const windowNs = after.timeNs - before.timeNs;
  if (!(windowNs > 0)) throw new Error(`empty measurement window: ${before.timeNs}..${after.timeNs} ns`);
  const seconds = windowNs / 1e9;
  const egress = nic.egressBytesPerSec * seconds;
  const ingress = (nic.ingressBytesPerSec ?? nic.egressBytesPerSec) * seconds;
  const earlier = new Map(before.nodes.map((node) => [node.node, node] as const));
  const found: ResourceUse[] = [];
  for (const node of after.nodes) {
    const start = earlier.get(node.node);
    if (start === undefined) throw new Error(`node ${node.node} missing from the window's first snapshot`);
    const side = roles.servers.has(node.node) ? "server" : roles.clients.has(node.node) ? "client" : "other";
    const add = (kind: string, share: number): void => void found.push({ node: node.node, kind, side, resource: `${node.node} ${kind}`, share });
    add("NIC egress", (node.sentBytes - start.sentBytes) / egress);
    add("NIC ingress", (node.receivedBytes - start.receivedBytes) / ingress);
    if (side === "server") add("disk", (node.diskBusyNs - start.diskBusyNs) / windowNs);
  }
  return found.sort((a, b) => b.share - a.share || byName(a.resource, b.resource));
}

/** The bottleneck's name with its numbers, by the rule above. */
export function nameBottleneck(point: Pick<SaturationThroughput, "resources" | "carriedShare" | "producerWindowUse" | "producerBufferFullShare">): string {
  const busiest = point.resources[0];
  const busiestText = busiest === undefined ? "" : `; busiest ${busiest.resource} ${percent(busiest.share)}`;
  if (busiest !== undefined && busiest.share >= SATURATED) {
    const peers = point.resources.filter((r) => r.kind === busiest.kind && r.side === busiest.side);
    const saturated = peers.filter((r) => r.share >= SATURATED).length;
    const machines = busiest.kind === "CPU (queue process)" ? "queue processes" : busiest.side === "server" ? "brokers" : busiest.side === "client" ? "producers" : "other nodes";
    const share = peers.length > 1 ? ` (${saturated} of ${peers.length} ${machines} ≥ ${percent(SATURATED)})` : "";
    return `${busiest.side === "client" ? "producer side: " : ""}${busiest.resource} ${percent(busiest.share)}${share}`;
  }
  if (point.carriedShare < CARRIED_MIN && point.producerWindowUse !== null && point.producerWindowUse >= WINDOW_FULL) {
    return `producer in-flight window (${percent(point.producerWindowUse)} in use; carried ${percent(point.carriedShare)} of offered${busiestText})`;
  }
  if (point.carriedShare < CARRIED_MIN && point.producerBufferFullShare !== null && point.producerBufferFullShare >= SATURATED) {
    const window = point.producerWindowUse === null ? "" : `, in-flight window ${percent(point.producerWindowUse)} in use`;
    return `producer buffer.memory (full ${percent(point.producerBufferFullShare)} of the time${window}; carried ${percent(point.carriedShare)} of offered${busiestText})`;
  }
  if (point.carriedShare < CARRIED_MIN) return `not named: no resource ≥ ${percent(SATURATED)} (carried ${percent(point.carriedShare)} of offered${busiestText})`;
  return `none (offered load carried${busiestText})`;
}

/** The busiest resource of each kind and side, busiest first: "b3 NIC ingress 97%, p1 NIC egress 31%, …". */
export function busiestByKind(resources: readonly ResourceUse[], count: number): string {
  const seen = new Set<string>();
  const picked: string[] = [];
  for (const r of resources) {
    const key = `${r.side}:${r.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    picked.push(`${r.resource} ${percent(r.share)}`);
    if (picked.length === count) break;
  }
  return picked.join(", ");
}
