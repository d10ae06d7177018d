import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { World } from "../../world/world.js";
import { QueueStore } from "./queue-store.js";

const MS = 1_000_000;
const MIB = 1024 * 1024;

describe("a classic queue's store: writes as its process makes them", () => {
  it("a write over the dirty limit blocks (isBlocked), counts as written only when writeback lets it return, and tells the listener", () => {
    const kernel = new Kernel({ seed: 1 });
    const world = new World({ kernel, nodes: [{ name: "r1" }], disk: "hdd", diskOptions: { dirtyBackgroundBytes: 0, dirtyLimitBytes: MIB } });
    world.install("r1", { start: () => undefined });
    world.boot();
    const written: number[] = [];
    const store = new QueueStore(world.disk("r1"), "q1", { onDurable: () => undefined, onWritten: (n) => written.push(n) }, () => false);
    const segment = (seq: number) => ({ seq, idFirst: seq + 1, count: 1, bytesEach: 256 * 1024, persistent: true, expiresAtNs: Number.MAX_SAFE_INTEGER, redelivered: false });
    for (let seq = 0; seq < 3; seq++) expect(store.appendPublish(segment(seq))).toBe(0);
    expect(store.isBlocked).toBe(false);
    expect(store.writtenRecords).toBe(3);
    // The fourth quarter MiB takes dirty data over 1 MiB: the process is stuck in write().
    store.appendPublish(segment(3));
    expect(store.isBlocked).toBe(true);
    expect(store.writtenRecords).toBe(3);
    kernel.scheduler.run({ untilNs: 500 * MS });
    expect(store.isBlocked).toBe(false);
    expect(store.writtenRecords).toBe(4);
    expect(written).toEqual([4]);
  });
});
