import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { SharedStoreClient } from "../../world/shared-store-client.js";
import { SharedStoreServer } from "../../world/shared-store-server.js";
import { World } from "../../world/world.js";
import { LocalJournalStorage, SharedJournalStorage, type JournalStorage } from "./journal-storage.js";
import { BATCH_CONTROL_BYTES, KAHADB_JOURNAL_DEFAULTS, KahaDbJournal, RECORD_HEAD_BYTES, type KahaDbJournalOptions } from "./kahadb-journal.js";

const MS = 1_000_000;
const KIB = 1024;

function localJournal(options: Partial<KahaDbJournalOptions> = {}, disk: "hdd" | "nvme" = "nvme") {
  const kernel = new Kernel({ seed: 2 });
  const world = new World({ kernel, nodes: [{ name: "b1" }], disk });
  let journal: KahaDbJournal | null = null;
  world.install("b1", { start: (node: WorldNode) => void (journal = new KahaDbJournal(node, new LocalJournalStorage(world.disk("b1")), { ...KAHADB_JOURNAL_DEFAULTS, ...options })) });
  world.boot();
  const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
  return { kernel, world, journal: (): KahaDbJournal => journal!, runTo };
}

describe("KahaDB's journal (DataFileAppender)", () => {
  it("group-commits: sync stores arriving while a batch is written share the next batch's one write and one fsync", () => {
    const { world, journal, runTo } = localJournal({}, "hdd");
    const done: number[] = [];
    for (let k = 0; k < 50; k++) journal().append(`m${k}`, KIB, true, () => done.push(k), null);
    expect(done).toEqual([]);
    runTo(1_000 * MS);
    expect(done).toEqual(Array.from({ length: 50 }, (_, k) => k));
    // The first store's batch went alone; the 49 that came while it was written went together.
    expect(world.disk("b1").stats().fsyncCalls).toBe(2);
    const file = world.disk("b1").open(KahaDbJournal.pathOf(1));
    expect(file.records.map((record) => (record.value as unknown[]).length)).toEqual([1, 49]);
    expect(file.cachedBytes).toBe(2 * BATCH_CONTROL_BYTES + 50 * (RECORD_HEAD_BYTES + KIB));
    expect(file.durableBytes).toBe(file.cachedBytes);
  });

  it("an async store (no callback) is never waited for and asks for no fsync", () => {
    const { world, journal, runTo } = localJournal();
    for (let k = 0; k < 10; k++) journal().append(`m${k}`, KIB, false, null, null);
    runTo(100 * MS);
    expect(world.disk("b1").stats().fsyncCalls).toBe(0);
    expect(world.disk("b1").open(KahaDbJournal.pathOf(1)).recordCount).toBe(2);
  });

  it("a batch stops short of journalMaxWriteBatchSize, and the journal rolls to the next file at journalMaxFileLength", () => {
    const { world, journal, runTo } = localJournal({ journalMaxWriteBatchSize: 64 * KIB, journalMaxFileLength: 256 * KIB });
    let acked = 0;
    for (let k = 0; k < 100; k++) journal().append(k, 10 * KIB, true, () => acked++, null);
    runTo(1_000 * MS);
    expect(acked).toBe(100);
    const first = world.disk("b1").open(KahaDbJournal.pathOf(1));
    for (const record of first.records) expect(record.bytes).toBeLessThan(64 * KIB);
    expect(first.cachedBytes).toBeLessThanOrEqual(256 * KIB);
    expect(journal().currentFile).toBeGreaterThanOrEqual(4);
  });

  it("PERIODIC answers before anything is durable and syncs about once a second: a power loss takes what came since", () => {
    const { world, journal, runTo } = localJournal({ journalDiskSyncStrategy: "PERIODIC" });
    const ackedAtNs: number[] = [];
    for (let k = 0; k < 5; k++) journal().append(k, KIB, true, () => ackedAtNs.push(world.kernel.now), null);
    runTo(10 * MS);
    expect(ackedAtNs).toHaveLength(5);
    const file = world.disk("b1").open(KahaDbJournal.pathOf(1));
    expect(file.durableBytes).toBe(0);
    runTo(1_600 * MS);
    expect(file.durableBytes).toBe(file.cachedBytes);
    expect(world.disk("b1").stats().fsyncCalls).toBe(1);
  });

  it("on a shared store, a sync store is answered once the server has committed its batch", () => {
    const kernel = new Kernel({ seed: 2 });
    const world = new World({ kernel, nodes: [{ name: "nfs" }, { name: "b1" }], disk: "nvme" });
    world.install("nfs", new SharedStoreServer(world, { lockRecovery: "nlm" }));
    let storage: JournalStorage | null = null;
    let journal: KahaDbJournal | null = null;
    world.install("b1", {
      start: (node: WorldNode) => {
        const client = new SharedStoreClient({ world, node, server: "nfs", lockRecovery: "nlm" });
        client.start();
        storage = new SharedJournalStorage(client);
        journal = new KahaDbJournal(node, storage, KAHADB_JOURNAL_DEFAULTS);
      },
    });
    world.boot();
    let ackedAtNs = -1;
    journal!.append("m", KIB, true, () => (ackedAtNs = kernel.now), null);
    kernel.scheduler.run({ untilNs: 100 * MS });
    expect(ackedAtNs).toBeGreaterThan(0);
    const file = world.disk("nfs").open(`export/${KahaDbJournal.pathOf(1)}`);
    expect(file.recordCount).toBe(1);
    expect(file.durableBytes).toBe(file.cachedBytes);
    expect(world.disk("b1").stats().appends).toBe(0);
  });
});
