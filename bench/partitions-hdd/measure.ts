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
import { systemNamed, type KafkaRunSpec } from "../../src/systems/index.js";
import type { WorldCounters } from "../../src/world/world-counters.js";
import type { DiskProfileName } from "../../src/world/disk-profile.js";
import type { DiskStats } from "../../src/world/disk-stats.js";
import { MESSAGE_BYTES, MESSAGES_PER_SEND, OFFERED_BYTES_PER_SEC_EACH, PRODUCER_CONFIG, PRODUCERS, SEED, TOPIC, type Timing } from "./settings.js";

export interface SweepPoint {
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
  /** Mean bytes the flusher wrote per visit of a file. */
  bytesPerWritebackVisit: number;
  /** Appends over the dirty limit per second: the broker's threads blocked in balance_dirty_pages. */
  throttledWritesPerSec: number;
  /** Dirty page-cache data at the window's end. */
  dirtyBytesAtEnd: number;
  digest: string;
  events: number;
}

const EVENTS_MAX = 500_000_000;

export function measurePoint(disk: DiskProfileName, partitions: number, timing: Timing): SweepPoint {
  const names = Array.from({ length: PRODUCERS }, (_, k) => `p${k + 1}`);
  const kafka = systemNamed("kafka");
  const spec: KafkaRunSpec = {
    seed: SEED,
    cluster: { brokers: 1, topics: [{ name: TOPIC, partitions, replicationFactor: 1 }], config: {}, disk },
    producers: names.map((name) => ({
      name,
      topic: TOPIC,
      partitions,
      messagesPerSecond: OFFERED_BYTES_PER_SEC_EACH / MESSAGE_BYTES,
      messagesPerSend: MESSAGES_PER_SEND,
      bytesPerMessage: MESSAGE_BYTES,
      config: PRODUCER_CONFIG,
    })),
    faults: [],
    // The producers offer load for the whole run; nothing waits for the backlog to drain and nothing is checked (throughput only).
    faultPhaseNs: timing.runNs,
    convergeNsMax: 0,
    eventsMax: EVENTS_MAX,
    checks: { checks: [] },
    probesAtNs: [timing.windowFromNs, timing.windowToNs],
  };
  const result = kafka.run(spec);
  const [from, to] = result.probes;
  if (from === undefined || to === undefined) throw new Error(`partitions sweep (${disk}, P=${partitions}) stopped early: ${result.stopReason}`);
  const broker = kafka.facts(spec, result).serverNodes[0]!;
  const diskOf = (probe: RunProbe): WorldCounters["disks"][number] => probe.world.disks.find((entry) => entry.node === broker)!;
  const before: DiskStats = diskOf(from).stats;
  const after: DiskStats = diskOf(to).stats;
  const dirtyBytesAtEnd = diskOf(to).dirtyBytes;

  let acked = 0;
  for (const event of result.history.events) {
    if (event.type === "send-result" && event.outcome === "ok" && event.timeNs >= timing.windowFromNs && event.timeNs < timing.windowToNs) acked += event.count;
  }
  const seconds = (timing.windowToNs - timing.windowFromNs) / 1e9;
  const visits = after.writebackVisits - before.writebackVisits;
  const writebackBytes = after.bytesWrittenToDevice - before.bytesWrittenToDevice;
  return {
    disk,
    partitions,
    offeredBytesPerSec: OFFERED_BYTES_PER_SEC_EACH * PRODUCERS,
    ackedMessagesPerSec: acked / seconds,
    ackedBytesPerSec: (acked * MESSAGE_BYTES) / seconds,
    deviceWriteBytesPerSec: writebackBytes / seconds,
    deviceBusyShare: (after.busyNs - before.busyNs) / (timing.windowToNs - timing.windowFromNs),
    switchesPerSec: (after.switches - before.switches) / seconds,
    bytesPerWritebackVisit: visits === 0 ? 0 : writebackBytes / visits,
    throttledWritesPerSec: (after.throttledWrites - before.throttledWrites) / seconds,
    dirtyBytesAtEnd,
    digest: result.digest,
    events: result.events,
  };
}
