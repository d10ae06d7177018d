/**
 * One point of the sweep: a one-broker cluster on one disk profile with P
 * partitions, producers offering more than the disk takes, and what the
 * broker acknowledged and the disk did over the steady-state window, as
 * differences of counter snapshots. Everything comes from the simulation:
 * the flusher's per-file writeback, the device's seeks, the writers held at
 * the dirty limit, the request threads and connections that wait for them.
 */
import { History } from "../../src/history/history.js";
import { Kernel } from "../../src/kernel/kernel.js";
import { buildKafkaCluster } from "../../src/systems/kafka/cluster.js";
import { ProducerDriver } from "../../src/systems/kafka/producer-workload.js";
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
  const kernel = new Kernel({ seed: SEED, budgets: { eventsMax: EVENTS_MAX, timeNsMax: timing.runNs } });
  const cluster = buildKafkaCluster(kernel, { brokers: 1, topics: [{ name: TOPIC, partitions, replicationFactor: 1 }], config: {}, disk, clients: names });
  const { world } = cluster;
  const history = new History();
  for (const name of names) {
    const workload = {
      name,
      topic: TOPIC,
      partitions,
      messagesPerSecond: OFFERED_BYTES_PER_SEC_EACH / MESSAGE_BYTES,
      messagesPerSend: MESSAGES_PER_SEND,
      bytesPerMessage: MESSAGE_BYTES,
      config: PRODUCER_CONFIG,
    };
    world.install(name, new ProducerDriver(world, workload, cluster.brokerNames, history, timing.runNs));
  }
  world.boot();
  const runTo = (untilNs: number): void => {
    const result = kernel.scheduler.run({ untilNs });
    if (result.reason !== "time-reached" && result.reason !== "idle") throw new Error(`partitions sweep (${disk}, P=${partitions}) stopped early: ${result.reason}`);
  };
  const brokerDisk = world.disk(cluster.brokerNames[0]!);
  runTo(timing.windowFromNs);
  const before: DiskStats = brokerDisk.stats();
  runTo(timing.windowToNs);
  const after: DiskStats = brokerDisk.stats();
  const dirtyBytesAtEnd = brokerDisk.dirtyBytes;
  if (timing.runNs > timing.windowToNs) runTo(timing.runNs);

  let acked = 0;
  for (const event of history.events) {
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
    digest: kernel.digestHex(),
    events: kernel.scheduler.eventsFired,
  };
}
