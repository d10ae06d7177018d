import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { LocalJournalStorage } from "./journal-storage.js";
import { KAHADB_JOURNAL_DEFAULTS, type JournalDiskSyncStrategy } from "./kahadb-journal.js";
import { KahaDbStore } from "./kahadb-store.js";

const MS = 1_000_000;

/** A broker process that is only its store, recovered at every start. */
class StoreHost implements NodeSoftware {
  store: KahaDbStore | null = null;
  isReady = false;
  readonly acked: number[] = [];

  constructor(
    private readonly world: World,
    private readonly strategy: JournalDiskSyncStrategy,
  ) {}

  start(node: WorldNode): void {
    this.isReady = false;
    this.store = new KahaDbStore(node, new LocalJournalStorage(this.world.disk(node.name)), { ...KAHADB_JOURNAL_DEFAULTS, journalDiskSyncStrategy: this.strategy }, this.world.kernel.marks);
    this.store.recover(() => (this.isReady = true));
  }

  send(id: number): void {
    this.store!.addMessage("queue://orders", { messageId: `p1:${id}`, producerId: "p1", sequence: id, id, bodyBytes: 1024 }, true, (result) => {
      if (result === "ok") this.acked.push(id);
    }, null);
  }
}

function setup(strategy: JournalDiskSyncStrategy) {
  const kernel = new Kernel({ seed: 9 });
  const world = new World({ kernel, nodes: [{ name: "b1" }], disk: "nvme" });
  const host = new StoreHost(world, strategy);
  world.install("b1", host);
  world.boot();
  const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
  runTo(1 * MS);
  return { world, host, runTo };
}

const ids = (host: StoreHost): number[] => host.store!.messages("queue://orders").map((message) => message.id);

describe("KahaDB as a message store", () => {
  it("keeps what was added and not removed across a process crash (the page cache keeps the journal), in store order", () => {
    const { world, host, runTo } = setup("ALWAYS");
    expect(host.isReady).toBe(true);
    for (let id = 1; id <= 5; id++) host.send(id);
    runTo(50 * MS);
    host.store!.removeMessage("queue://orders", "p1:2");
    runTo(60 * MS);
    world.processCrash("b1");
    world.restart("b1");
    runTo(100 * MS);
    expect(host.isReady).toBe(true);
    expect(ids(host)).toEqual([1, 3, 4, 5]);
  });

  it("ALWAYS: everything a producer was answered for survives a power loss; the acknowledgement (async) of a removal may not, and the message comes back", () => {
    const { world, host, runTo } = setup("ALWAYS");
    for (let id = 1; id <= 5; id++) host.send(id);
    runTo(50 * MS);
    expect(host.acked).toEqual([1, 2, 3, 4, 5]);
    host.store!.removeMessage("queue://orders", "p1:1");
    world.powerLoss("b1");
    world.restart("b1");
    runTo(100 * MS);
    expect(ids(host)).toEqual([1, 2, 3, 4, 5]);
  });

  it("NEVER: producers are answered once written, and a power loss takes what writeback had not reached", () => {
    const { world, host, runTo } = setup("NEVER");
    for (let id = 1; id <= 5; id++) host.send(id);
    runTo(50 * MS);
    expect(host.acked).toEqual([1, 2, 3, 4, 5]);
    world.powerLoss("b1");
    world.restart("b1");
    runTo(100 * MS);
    expect(ids(host)).toEqual([]);
  });
});
