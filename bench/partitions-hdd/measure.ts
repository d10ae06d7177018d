/**
 * One point of the sweep: a one-broker cluster on one disk profile with P
 * partitions, producers offering more than the disk takes, and what the
 * broker acknowledged and the disk did over the steady-state window, as
 * differences of two probes of one run (plain data, through the system
 * registry). Everything comes from the simulation:
 * the flusher's per-file writeback, the device's seeks, the writers held at
 * the dirty limit, the request threads and connections that wait for them.
 */
import type { RunProbe } from "../../src/run/system.js";
import { systemNamed } from "../../src/systems/index.js";
import type { WorldCounters } from "../../src/world/world-counters.js";
import type { DiskProfileName } from "../../src/world/disk-profile.js";
import type { DiskStats } from "../../src/world/disk-stats.js";
import { MESSAGE_BYTES, OFFERED_BYTES_PER_SEC_EACH, PRODUCERS, type SweepSystem, type Timing } from "./settings.js";
import { modelNameOf, sweepSpecOf } from "./sweep-specs.js";

export interface SweepPoint {
  system: SweepSystem;
  disk: DiskProfileName;
  partitions: number;
  offeredBytesPerSec: number;
  ackedMessagesPerSec: number;
  ackedBytesPerSec: number;
  /** Bytes the device wrote per second over the window. */
  deviceWriteBytesPerSec: number;
  /** Share of the window the device was busy. */
  deviceBusyShare: number;
  /** Device requests that moved to another file, per second (seeks on an HDD). */
  switchesPerSec: number;
  /** Mean bytes the device wrote per visit of a file: the flusher's writeback visits and the broker's fsyncs. */
  bytesPerWritebackVisit: number;
  /** The broker's threads' CPU over the window, in cores (1 = one core busy all the time). */
  serverCpuShare: number;
  /** Cores the broker's work shares (RabbitMQ's schedulers); null where threads never compete for cores (Kafka, RocketMQ). */
  serverCores: number | null;
  /** fsync calls per second (RocketMQ's consume queue and commit log flushes; Kafka's broker calls none). */
  fsyncsPerSec: number;
  /** Sends that failed (timed out or refused) in the window, per second. */
  failedMessagesPerSec: number;
  /** Appends over the dirty limit per second: the broker's threads blocked in balance_dirty_pages. */
  throttledWritesPerSec: number;
  /** Dirty page-cache data at the window's end. */
  dirtyBytesAtEnd: number;
  digest: string;
  events: number;
}

export function measurePoint(system: SweepSystem, disk: DiskProfileName, partitions: number, timing: Timing): SweepPoint {
  const model = systemNamed(modelNameOf(system));
  const spec = sweepSpecOf(system, disk, partitions, timing);
  const result = model.run(spec);
  const [from, to] = result.probes;
  if (from === undefined || to === undefined) throw new Error(`partitions sweep (${system}, ${disk}, P=${partitions}) stopped early: ${result.stopReason}`);
  const broker = model.facts(spec, result).serverNodes[0]!;
  const diskOf = (probe: RunProbe): WorldCounters["disks"][number] => probe.world.disks.find((entry) => entry.node === broker)!;
  const before: DiskStats = diskOf(from).stats;
  const after: DiskStats = diskOf(to).stats;
  const dirtyBytesAtEnd = diskOf(to).dirtyBytes;

  let acked = 0;
  let failed = 0;
  for (const event of result.history.events) {
    if (event.type !== "send-result" || event.timeNs < timing.windowFromNs || event.timeNs >= timing.windowToNs) continue;
    if (event.outcome === "ok") acked += event.count;
    else failed += event.count;
  }
  const seconds = (timing.windowToNs - timing.windowFromNs) / 1e9;
  const visits = after.writebackVisits - before.writebackVisits;
  const fsyncs = after.fsyncCalls - before.fsyncCalls;
  const writebackBytes = after.bytesWrittenToDevice - before.bytesWrittenToDevice;
  return {
    system,
    disk,
    partitions,
    offeredBytesPerSec: OFFERED_BYTES_PER_SEC_EACH * PRODUCERS,
    serverCpuShare: serverCpuShare(from, to, broker, timing),
    serverCores: to.threads.find((thread) => thread.node === broker && thread.thread === "schedulers")?.count ?? null,
    ackedMessagesPerSec: acked / seconds,
    ackedBytesPerSec: (acked * MESSAGE_BYTES) / seconds,
    deviceWriteBytesPerSec: writebackBytes / seconds,
    deviceBusyShare: (after.busyNs - before.busyNs) / (timing.windowToNs - timing.windowFromNs),
    switchesPerSec: (after.switches - before.switches) / seconds,
    bytesPerWritebackVisit: visits + fsyncs === 0 ? 0 : writebackBytes / (visits + fsyncs),
    fsyncsPerSec: fsyncs / seconds,
    failedMessagesPerSec: failed / seconds,
    throttledWritesPerSec: (after.throttledWrites - before.throttledWrites) / seconds,
    dirtyBytesAtEnd,
    digest: result.digest,
    events: result.events,
  };
}

/** CPU the server's threads (or Erlang schedulers) used over the window, in cores. */
function serverCpuShare(from: RunProbe, to: RunProbe, server: string, timing: Timing): number {
  const busyOf = (probe: RunProbe): number => {
    const threads = probe.threads.filter((thread) => thread.node === server && thread.side === "server");
    // RabbitMQ lists its Erlang processes and the schedulers they run on: the schedulers' time is the node's CPU.
    const schedulers = threads.find((thread) => thread.thread === "schedulers");
    return schedulers !== undefined ? schedulers.busyNs : threads.reduce((sum, thread) => sum + thread.busyNs, 0);
  };
  return (busyOf(to) - busyOf(from)) / (timing.windowToNs - timing.windowFromNs);
}
