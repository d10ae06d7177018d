import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, type RocketBrokerConfig } from "./config.js";
import { storedMessageBytes } from "./commit-log.js";
import { MessageStore, type PutResult } from "./message-store.js";

const MS = 1_000_000;

/** A node whose software is just a message store, recovered at every start. */
class StoreHost implements NodeSoftware {
  store: MessageStore | null = null;
  readonly answers: { atNs: number; result: PutResult; idFirst: number }[] = [];
  readonly arrivals: { topic: string; queueId: number; maxOffset: number }[] = [];
  /** What putMessage said of each put, and when the blocked ones returned. */
  readonly putOutcomes: string[] = [];
  readonly returnsAtNs: number[] = [];

  constructor(
    private readonly world: World,
    private readonly config: RocketBrokerConfig,
  ) {}

  start(node: WorldNode): void {
    this.store = new MessageStore(node, this.world.disk(node.name), this.config, {
      onMessageArrived: (topic, queueId, maxOffset) => this.arrivals.push({ topic, queueId, maxOffset }),
      onBlockedPutReturned: () => this.returnsAtNs.push(this.world.kernel.now),
    });
    this.store.start();
  }

  put(topic: string, queueId: number, idFirst: number, count = 1, bodyBytes = 1024): void {
    this.putOutcomes.push(this.store!.putMessage({ topic, queueId, count, idFirst, bodyBytes }, (result, id) => this.answers.push({ atNs: this.world.kernel.now, result, idFirst: id }), idFirst));
  }
}

function harness(config: Partial<RocketBrokerConfig> = {}, disk: "nvme" | "hdd" = "nvme", dirtyLimitBytes?: number) {
  const kernel = new Kernel({ seed: 3 });
  const diskOptions = dirtyLimitBytes === undefined ? {} : { diskOptions: { dirtyBackgroundBytes: 0, dirtyLimitBytes } };
  const world = new World({ kernel, nodes: [{ name: "b1" }], disk, ...diskOptions });
  const host = new StoreHost(world, { ...DEFAULT_BROKER_CONFIG, ...config });
  world.install("b1", host);
  world.boot();
  const runTo = (timeNs: number): void => void kernel.scheduler.run({ untilNs: timeNs });
  return { kernel, world, host, runTo };
}

describe("the message store's puts and reads", () => {
  it("flushes the consume queues one after another, each once it has crossed 2 page boundaries, and all of them every 60 s (FlushConsumeQueueService)", () => {
    const { host, runTo } = harness({}, "hdd");
    // 410 entries of 20 bytes = 8,200 bytes: two page boundaries crossed. Queue 4 gets 100 entries (2,000 bytes): none.
    for (let queueId = 0; queueId < 4; queueId++) host.put("t", queueId, 1 + queueId * 410, 410, 16);
    host.put("t", 4, 10_000, 100, 16);
    const queues = (): ReturnType<MessageStore["consumeQueues"]> => host.store!.consumeQueues();
    const durableAtMs: (number | null)[] = [null, null, null, null, null];
    for (let ms = 990; ms <= 1_300; ms++) {
      runTo(ms * MS);
      queues().forEach((queue, k) => {
        if (durableAtMs[k] === null && queue.file.durableBytes === queue.file.cachedBytes && queue.writtenBytes > 0 && ms > 1_000) durableAtMs[k] = ms;
      });
    }
    const flushed = durableAtMs.slice(0, 4) as number[];
    expect(flushed.every((ms) => ms !== null)).toBe(true);
    // One force() at a time: each queue's file is on the device at least a seek (8 ms) after the one before.
    for (let k = 1; k < 4; k++) expect(flushed[k]! - flushed[k - 1]!).toBeGreaterThanOrEqual(8);
    expect(durableAtMs[4]).toBeNull();
    expect(queues()[4]!.flushedBytes).toBe(0);
    runTo(61_500 * MS);
    expect(queues()[4]!.flushedBytes).toBe(2_000);
  });

  it("does not force a queue again while a walk that takes longer than the interval is still under way", () => {
    const { world, host, runTo } = harness({}, "hdd");
    // 200 queues of two pages each: on an hdd the walk takes 200 forces (a seek and a cache flush each: over 3 s), longer than the 1 s interval.
    for (let queueId = 0; queueId < 200; queueId++) host.put("t", queueId, 1 + queueId * 410, 410, 16);
    runTo(6_000 * MS);
    expect(host.store!.consumeQueues().every((queue) => queue.flushedBytes === queue.writtenBytes)).toBe(true);
    // 200 consume queue forces and the commit log's one flush (500 ms, 4 dirty pages): nothing forced twice.
    expect(world.disk("b1").stats().fsyncCalls).toBe(201);
  });

  it("holds a put whose copy into the mapped file finds dirty data over the limit until writeback drains it, and answers only then", () => {
    const bodyBytes = 256 * 1024;
    const { host, runTo } = harness({}, "hdd", 1024 * 1024);
    for (let k = 0; k < 6; k++) host.put("t", 0, k + 1, 1, bodyBytes);
    // The first puts fit under 1 MiB of dirty data; the fourth goes over and is held (the broker keeps its put lock).
    expect(host.putOutcomes).toEqual(["written", "written", "written", "blocked", "blocked", "blocked"]);
    expect(host.answers.map((a) => a.idFirst)).toEqual([1, 2, 3]);
    runTo(2_000 * MS);
    expect(host.answers.map((a) => a.idFirst)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(host.returnsAtNs).toHaveLength(3);
    // An hdd writes about 137 MB/s: draining a quarter MiB takes milliseconds, not nothing.
    expect(Math.min(...host.returnsAtNs)).toBeGreaterThan(MS);
  });

  it("gives each queue its own offsets and the commit log one byte sequence, readable once the reput service has indexed them", () => {
    const { host, runTo } = harness();
    host.put("t", 0, 1);
    host.put("t", 1, 2);
    host.put("t", 0, 3, 4);
    const store = host.store!;
    // Stored, but not yet in the consume queues: the reput service runs a millisecond later.
    expect(store.getMessage("t", 0, 0, 32).status).toBe("NO_MESSAGE_IN_QUEUE");
    runTo(5 * MS);
    const first = store.getMessage("t", 0, 0, 32);
    expect(first.status).toBe("FOUND");
    expect(first.ranges).toEqual([
      { queueOffset: 0, idFirst: 1, count: 1, sizeBytes: storedMessageBytes("t", 1024) },
      { queueOffset: 1, idFirst: 3, count: 4, sizeBytes: 4 * storedMessageBytes("t", 1024) },
    ]);
    expect(first.nextBeginOffset).toBe(5);
    expect(store.getMessage("t", 0, 2, 2).ranges).toEqual([{ queueOffset: 2, idFirst: 4, count: 2, sizeBytes: 2 * storedMessageBytes("t", 1024) }]);
    expect(store.getMessage("t", 1, 0, 32).ranges.map((r) => r.idFirst)).toEqual([2]);
    expect(store.commitLog.maxOffset).toBe(6 * storedMessageBytes("t", 1024));
    expect(store.getMessage("t", 0, 5, 32).status).toBe("OFFSET_OVERFLOW_ONE");
    expect(store.getMessage("t", 0, 9, 32)).toMatchObject({ status: "OFFSET_OVERFLOW_BADLY", nextBeginOffset: 5 });
    expect(store.getMessage("u", 0, 0, 32).status).toBe("NO_MATCHED_LOGIC_QUEUE");
    expect(host.arrivals.map((a) => `${a.queueId}:${a.maxOffset}`)).toEqual(["0:1", "1:1", "0:5"]);
  });

  it("rolls to the next mapped file when a put does not fit, at the next multiple of the file size", () => {
    const size = storedMessageBytes("t", 1024);
    const { host, runTo } = harness({ mappedFileSizeCommitLog: size * 2 + 10 });
    for (let id = 1; id <= 5; id++) host.put("t", 0, id);
    runTo(5 * MS);
    const store = host.store!;
    expect(store.commitLog.mappedFiles.length).toBe(3);
    expect(store.commitLog.records.map((r) => r.physicalOffset)).toEqual([0, size, size * 2 + 10, size * 3 + 10, (size * 2 + 10) * 2]);
    expect(store.getMessage("t", 0, 0, 32).ranges.map((r) => r.idFirst)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("flushDiskType", () => {
  it("ASYNC_FLUSH answers at once, and a power loss before the flush thread's next round takes what it acknowledged", () => {
    const { world, host, runTo } = harness({ flushDiskType: "ASYNC_FLUSH" });
    for (let id = 1; id <= 20; id++) host.put("t", 0, id);
    runTo(1 * MS);
    expect(host.answers.map((a) => a.result.status)).toEqual(Array(20).fill("PUT_OK"));
    runTo(100 * MS);
    world.powerLoss("b1");
    world.restart("b1");
    runTo(200 * MS);
    expect(host.store!.maxOffsetInQueue("t", 0)).toBe(0);
  });

  it("ASYNC_FLUSH loses nothing to a power loss once a flush round (500 ms, 4 dirty pages) has passed; the consume queue is rebuilt from the commit log", () => {
    const { world, host, runTo } = harness({ flushDiskType: "ASYNC_FLUSH" });
    for (let id = 1; id <= 20; id++) host.put("t", 0, id);
    // The commit log is flushed at 500 ms; the consume queue (2 pages dirty needed, 400 bytes written) is not flushed by 700 ms.
    runTo(700 * MS);
    const queue = host.store!.consumeQueues()[0]!;
    expect(queue.writtenBytes).toBeGreaterThan(queue.flushedBytes);
    world.powerLoss("b1");
    world.restart("b1");
    runTo(800 * MS);
    const store = host.store!;
    expect(store.maxOffsetInQueue("t", 0)).toBe(20);
    expect(store.getMessage("t", 0, 0, 32).ranges.map((r) => r.count).reduce((a, b) => a + b, 0)).toBe(20);
  });

  it("SYNC_FLUSH answers after the flush, group-commits puts that arrive together, and loses nothing it acknowledged to a power loss", () => {
    const { world, host, runTo } = harness({ flushDiskType: "SYNC_FLUSH" }, "hdd");
    for (let id = 1; id <= 50; id++) host.put("t", id % 4, id);
    expect(host.answers).toEqual([]);
    runTo(200 * MS);
    expect(host.answers.length).toBe(50);
    expect(host.answers.every((a) => a.result.status === "PUT_OK" && a.atNs > 0)).toBe(true);
    // 50 puts, one flush for all of them (the first) or two at most.
    expect(world.disk("b1").stats().fsyncCalls).toBeLessThanOrEqual(2);
    const acked = host.answers.length;
    host.put("t", 0, 99);
    world.powerLoss("b1");
    world.restart("b1");
    runTo(400 * MS);
    const store = host.store!;
    const kept = [0, 1, 2, 3].reduce((sum, q) => sum + store.maxOffsetInQueue("t", q), 0);
    expect(kept).toBeGreaterThanOrEqual(acked);
  });

  it("SYNC_FLUSH answers FLUSH_DISK_TIMEOUT after syncFlushTimeout when the disk cannot flush in time; the message is stored anyway", () => {
    const { world, host, runTo } = harness({ flushDiskType: "SYNC_FLUSH", syncFlushTimeout: 1_000 }, "hdd");
    world.slowDisk("b1", 10_000);
    host.put("t", 0, 1);
    runTo(999 * MS);
    expect(host.answers).toEqual([]);
    runTo(1_001 * MS);
    expect(host.answers.map((a) => [a.atNs, a.result.status])).toEqual([[1_000 * MS, "FLUSH_DISK_TIMEOUT"]]);
    runTo(1_010 * MS);
    expect(host.store!.getMessage("t", 0, 0, 1).status).toBe("FOUND");
  });
});

describe("recovery", () => {
  it("keeps everything across a process crash (the page cache is the OS's) and continues the queue's offsets", () => {
    const { world, host, runTo } = harness();
    for (let id = 1; id <= 3; id++) host.put("t", 0, id);
    runTo(5 * MS);
    world.processCrash("b1");
    world.restart("b1");
    runTo(10 * MS);
    host.put("t", 0, 4);
    runTo(20 * MS);
    const store = host.store!;
    expect(store.getMessage("t", 0, 0, 32).ranges.map((r) => [r.queueOffset, r.idFirst])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
    ]);
  });
});
