/**
 * A world's counters at the end of a run, as plain data: what summaries and
 * reports read instead of the live world (its nodes in order, the bytes on
 * every link by traffic class, every node's disk statistics).
 */
import type { DiskStats } from "./disk-stats.js";
import type { LinkTraffic } from "./traffic-counters.js";
import type { World } from "./world.js";

export interface WorldCounters {
  /** Node names in world order. */
  nodeNames: readonly string[];
  links: readonly LinkTraffic[];
  /** Each node's disk statistics and its dirty page-cache bytes at that instant, in world order. */
  disks: readonly { node: string; stats: DiskStats; dirtyBytes: number }[];
  /** Each node's NIC busy time up to that instant, each direction (nics.ts), in world order. */
  nics: readonly { node: string; egressBusyNs: number; ingressBusyNs: number }[];
}

export function worldCounters(world: World): WorldCounters {
  const nodeNames = world.nodes.map((node) => node.name);
  const nics = world.nodes.map((node) => ({ node: node.name, ...world.net.nicBusyNs(node) }));
  return { nodeNames, links: world.links(), disks: nodeNames.map((node) => diskCounters(world, node)), nics };
}

function diskCounters(world: World, node: string): WorldCounters["disks"][number] {
  const disk = world.disk(node);
  return { node, stats: disk.stats(), dirtyBytes: disk.dirtyBytes };
}
