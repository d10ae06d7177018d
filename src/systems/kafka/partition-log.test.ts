import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { World } from "../../world/world.js";
import { PartitionLog, type RecordBatch } from "./partition-log.js";

function setup(): { kernel: Kernel; world: World } {
  const kernel = new Kernel({ seed: 1 });
  const world = new World({ kernel, nodes: 1, disk: "nvme" });
  world.boot();
  return { kernel, world };
}

function batch(baseOffset: number, count: number, leaderEpoch: number, idFirst = baseOffset): RecordBatch {
  return { baseOffset, count, leaderEpoch, idFirst, bytes: count * 100, producerId: -1, baseSequence: -1 };
}

describe("partition log", () => {
  it("appends batches at the log end and reads whole batches by offset", () => {
    const { world } = setup();
    const log = new PartitionLog(world.disk("n1"), "orders-0/log");
    expect(log.append(batch(0, 3, 0))).toBe("ok");
    expect(log.append(batch(3, 2, 0))).toBe("ok");
    expect(log.append(batch(5, 4, 1))).toBe("ok");
    expect(log.logEndOffset).toBe(9);
    expect(log.read(4, 1).map((b) => b.baseOffset)).toEqual([3]);
    expect(log.read(3, 10_000).map((b) => b.baseOffset)).toEqual([3, 5]);
    expect(log.read(9, 10_000)).toEqual([]);
    expect(log.idAt(6)).toBe(6);
    expect(() => log.append(batch(10, 1, 1))).toThrow(/log end is 9/);
  });

  it("keeps the leader-epoch cache and answers OffsetsForLeaderEpoch as Kafka's LeaderEpochFileCache.endOffsetFor", () => {
    const { world } = setup();
    const log = new PartitionLog(world.disk("n1"), "p/log");
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: -1, endOffset: -1 });
    log.append(batch(0, 2, 1));
    log.append(batch(2, 2, 2));
    log.append(batch(4, 2, 5));
    expect(log.latestEpoch).toBe(5);
    // Older than every known epoch: the requested epoch, ending where the first known one starts.
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 0 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 2 });
    // Epoch 3 never led here: the answer is for the largest epoch below it.
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 4 });
    // The latest epoch ends at the log end; past every known epoch, and -1, are undefined.
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 6 });
    expect(log.endOffsetForEpoch(7)).toEqual({ epoch: -1, endOffset: -1 });
    expect(log.endOffsetForEpoch(-1)).toEqual({ epoch: -1, endOffset: -1 });
    expect(log.truncateTo(3)).toBe(2);
    expect(log.logEndOffset).toBe(2);
    expect(log.latestEpoch).toBe(1);
  });

  it("records a new leader's epoch at its log end before any batch, and lets an older epoch's batches replace an epoch never written", () => {
    const { world } = setup();
    const log = new PartitionLog(world.disk("n1"), "p/log");
    log.append(batch(0, 4, 1));
    log.assignEpoch(3, 4);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 4 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 4 });
    // It stepped down without writing; the new leader's log has epoch 2 from offset 4.
    expect(log.append(batch(4, 2, 2))).toBe("ok");
    expect(log.latestEpoch).toBe(2);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 4 });
    // But an epoch that holds batches cannot be appended under.
    expect(() => log.append(batch(6, 1, 1))).toThrow(/append of epoch 1 after epoch 2/);
  });

  it("recovers from the disk: a process crash keeps unflushed batches, a power loss keeps only flushed ones", () => {
    const { kernel, world } = setup();
    const disk = world.disk("n1");
    const log = new PartitionLog(disk, "p/log");
    log.append(batch(0, 5, 0));
    disk.fsync(log.diskFile, () => undefined, null);
    kernel.scheduler.run();
    log.append(batch(5, 5, 0));
    world.processCrash("n1");
    world.restart("n1");
    expect(new PartitionLog(disk, "p/log").logEndOffset).toBe(10);
    world.powerLoss("n1");
    world.restart("n1");
    const recovered = new PartitionLog(disk, "p/log");
    expect(recovered.logEndOffset).toBe(5);
    expect(recovered.batches.map((b) => b.baseOffset)).toEqual([0]);
  });

  it("drops a torn tail batch on recovery", () => {
    const { kernel, world } = setup();
    const disk = world.disk("n1");
    const log = new PartitionLog(disk, "p/log");
    log.append(batch(0, 1, 0));
    disk.fsync(log.diskFile, () => undefined, null);
    kernel.scheduler.run();
    world.tornWrites("n1");
    log.append({ ...batch(1, 1, 0), bytes: 8 * 1024 * 1024 });
    disk.fsync(log.diskFile, () => undefined, null);
    // Cut the power while the 8 MiB write is on its way to the device.
    kernel.scheduler.run({ untilNs: kernel.now + 1_000_000 });
    world.powerLoss("n1");
    expect(disk.open<RecordBatch>("p/log").records.at(-1)?.torn).toBe(true);
    world.restart("n1");
    const recovered = new PartitionLog(disk, "p/log");
    expect(recovered.logEndOffset).toBe(1);
    expect(disk.open<RecordBatch>("p/log").records.length).toBe(1);
  });
});

describe("a log's content digest", () => {
  it("is equal for equal logs and differs when any batch differs, even with the same log end; truncation restores the prefix's", () => {
    const { world } = setup();
    const a = new PartitionLog(world.disk("n1"), "a/log");
    const b = new PartitionLog(world.disk("n1"), "b/log");
    for (const log of [a, b]) {
      log.append(batch(0, 5, 1));
      log.append(batch(5, 5, 1));
    }
    expect(a.contentDigest).toBe(b.contentDigest);
    const prefix = a.contentDigest;
    a.append(batch(10, 5, 2, 100));
    b.append(batch(10, 5, 3, 100));
    expect(a.logEndOffset).toBe(b.logEndOffset);
    expect(a.contentDigest).not.toBe(b.contentDigest);
    a.truncateTo(10);
    expect(a.contentDigest).toBe(prefix);
  });

  it("load(): batches the page cache evicted are read from the device before they can go out; cached ones at once", () => {
    const kernel = new Kernel({ seed: 1 });
    // A 64 KiB page cache: once written back, the oldest batches are evicted.
    const world = new World({ kernel, nodes: 1, disk: "hdd", diskOptions: { pageCacheBytes: 64 * 1024, dirtyLimitBytes: 32 * 1024, dirtyBackgroundBytes: 16 * 1024 } });
    world.boot();
    const log = new PartitionLog(world.disk("n1"), "p/log");
    for (let k = 0; k < 20; k++) log.append(batch(k * 100, 100, 0));
    kernel.scheduler.run();
    let loadedAtNs = -1;
    const onLoaded = (): void => {
      loadedAtNs = kernel.now;
    };
    expect(log.load(log.read(1_900, 10_000), onLoaded, null)).toBe(true);
    const startNs = kernel.now;
    expect(log.load(log.read(0, 20_000), onLoaded, null)).toBe(false);
    expect(loadedAtNs).toBe(-1);
    kernel.scheduler.run();
    // A cold read of 20 KB on hdd: at least the transfer at 150 MB/s.
    expect(loadedAtNs - startNs).toBeGreaterThan(100_000);
    expect(world.disk("n1").stats().deviceReadRequests).toBe(1);
  });
});

