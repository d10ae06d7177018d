/**
 * Reading the world's counters: bytes per directed link and traffic class
 * (a run's facts or probes, plain data) summed the ways the report needs, and
 * snapshots of every node's NIC and disk counters so a steady-state window
 * can be measured as a difference of two probes.
 *
 * The network counts a packet's wire bytes (payload plus Ethernet/IP/TCP
 * framing) when the sender queues it on its NIC.
 */
import type { LinkTraffic } from "../../src/world/traffic-counters.js";
import type { WorldCounters } from "../../src/world/world-counters.js";

/** Bytes on links whose both ends are in `servers` (both directions), and the classes seen there. */
export function serverToServerBytes(links: readonly LinkTraffic[], servers: ReadonlySet<string>): { bytes: number; classes: string[] } {
  let bytes = 0;
  const classes = new Set<string>();
  for (const link of links) {
    if (!servers.has(link.from) || !servers.has(link.to)) continue;
    bytes += link.bytes;
    classes.add(link.trafficClass);
  }
  return { bytes, classes: [...classes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) };
}

/** Bytes the given clients sent to servers, in one traffic class. */
export function clientToServerBytes(links: readonly LinkTraffic[], clients: ReadonlySet<string>, servers: ReadonlySet<string>, trafficClass: string): number {
  let bytes = 0;
  for (const link of links) {
    if (clients.has(link.from) && servers.has(link.to) && link.trafficClass === trafficClass) bytes += link.bytes;
  }
  return bytes;
}

export interface NodeCounters {
  node: string;
  sentBytes: number;
  receivedBytes: number;
  /** Time the node's disk device was busy (disk stats' busyNs). */
  diskBusyNs: number;
}

export interface CountersSnapshot {
  timeNs: number;
  nodes: NodeCounters[];
  /** Server↔server bytes so far (both directions, every class). */
  serverToServerBytes: number;
}

/** The counters of a probe (or of a run's end) as the bottleneck rule reads them. */
export function snapshotCounters(atNs: number, world: WorldCounters, servers: ReadonlySet<string>): CountersSnapshot {
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  for (const link of world.links) {
    sent.set(link.from, (sent.get(link.from) ?? 0) + link.bytes);
    received.set(link.to, (received.get(link.to) ?? 0) + link.bytes);
  }
  const diskBusy = new Map(world.disks.map((disk) => [disk.node, disk.stats.busyNs] as const));
  return {
    timeNs: atNs,
    nodes: world.nodeNames.map((node) => ({
      node,
      sentBytes: sent.get(node) ?? 0,
      receivedBytes: received.get(node) ?? 0,
      diskBusyNs: diskBusy.get(node) ?? 0,
    })),
    serverToServerBytes: serverToServerBytes(world.links, servers).bytes,
  };
}
