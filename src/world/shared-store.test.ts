import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/index.js";
import type { NodeSoftware, WorldNode } from "./node.js";
import { SharedStoreClient } from "./shared-store-client.js";
import type { LockRecovery, SharedStoreReply } from "./shared-store-protocol.js";
import { SharedStoreServer } from "./shared-store-server.js";
import { World } from "./world.js";

const MS = 1_000_000;
const S = 1_000 * MS;

/** A process on a client machine that mounts the store and polls for its lock every `pollNs`, as ActiveMQ's SharedFileLocker does. */
class LockPoller implements NodeSoftware {
  client: SharedStoreClient | null = null;
  hasLock = false;
  lockedAtNs = -1;
  readonly commits: number[] = [];

  constructor(
    private readonly world: World,
    private readonly lockRecovery: LockRecovery,
    private readonly pollNs: number,
    /** The first attempt after boot waits this long (the second machine asks after the first). */
    private readonly firstPollDelayNs: number,
  ) {}

  start(node: WorldNode): void {
    this.hasLock = false;
    this.client = new SharedStoreClient({ world: this.world, node, server: "nfs", lockRecovery: this.lockRecovery, leaseNs: 30 * S });
    this.client.start();
    node.after(node.incarnation === 1 ? this.firstPollDelayNs : 0, () => this.poll(node));
  }

  private poll(node: WorldNode): void {
    this.client!.tryLock("kahadb/lock", (reply: SharedStoreReply) => {
      if (reply.kind === "LOCK_GRANTED") {
        this.hasLock = true;
        this.lockedAtNs = node.now;
        return;
      }
      node.after(this.pollNs, () => this.poll(node));
    }, null);
  }
}

function setup(lockRecovery: LockRecovery) {
  const kernel = new Kernel({ seed: 5 });
  const world = new World({ kernel, nodes: [{ name: "nfs" }, { name: "m1" }, { name: "m2" }], disk: "hdd" });
  const server = new SharedStoreServer(world, { lockRecovery, leaseNs: 30 * S });
  world.install("nfs", server);
  const first = new LockPoller(world, lockRecovery, 10 * S, 0);
  const second = new LockPoller(world, lockRecovery, 10 * S, 1 * S);
  world.install("m1", first);
  world.install("m2", second);
  world.boot();
  const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
  return { kernel, world, server, first, second, runTo };
}

describe("a shared store: one machine's disk exported to others, with locks", () => {
  it("grants a path's lock to one machine; the other polls and is denied while it is held", () => {
    const { server, first, second, runTo } = setup("nlm");
    runTo(60 * S);
    expect(first.hasLock).toBe(true);
    expect(second.hasLock).toBe(false);
    expect(server.holderOf("kahadb/lock")).toBe("m1#1");
  });

  it("the holder's process dying on a live host releases the lock (its kernel unlocks): the other takes it at its next poll", () => {
    const { world, second, runTo } = setup("nlm");
    runTo(5 * S);
    world.processCrash("m1");
    runTo(30 * S);
    expect(second.hasLock).toBe(true);
    // Crashed at 5 s; the second polls at 1 s, 11 s, 21 s …
    expect(second.lockedAtNs).toBeLessThan(12 * S);
  });

  it("NFSv3 (nlm): the holder's machine lost for good keeps the lock for ever; the other never gets it", () => {
    const { world, second, runTo } = setup("nlm");
    runTo(5 * S);
    world.machineLoss("m1");
    runTo(600 * S);
    expect(second.hasLock).toBe(false);
  });

  it("NFSv3 (nlm): the holder's machine rebooting tells the server (SM_NOTIFY), which drops its locks", () => {
    const { world, server, runTo } = setup("nlm");
    runTo(5 * S);
    world.powerLoss("m1");
    runTo(100 * S);
    expect(server.holderOf("kahadb/lock")).toBe("m1#1");
    world.restart("m1");
    // Its NOTIFY goes before its new process's first LOCK: the old process's lock is gone, and the new one takes it.
    runTo(101 * S);
    expect(server.holderOf("kahadb/lock")).toBe("m1#2");
  });

  it("NFSv4 (lease): the holder's machine lost for good loses the lock once its lease (30 s here) runs out", () => {
    const { world, second, runTo } = setup("lease");
    runTo(5 * S);
    world.machineLoss("m1");
    runTo(120 * S);
    expect(second.hasLock).toBe(true);
    // Last heard at its renewal before 5 s, expired 30 s later, taken at the next 10 s poll.
    expect(second.lockedAtNs).toBeGreaterThanOrEqual(30 * S);
    expect(second.lockedAtNs).toBeLessThan(50 * S);
  });

  it("NFSv4 (lease): a holder cut off by a partition loses its lock to the other while it still believes it holds it (two masters unless it checks)", () => {
    const { world, first, second, runTo } = setup("lease");
    runTo(5 * S);
    world.partition({ kind: "isolate", nodes: ["m1"] }, "cut");
    runTo(120 * S);
    expect(second.hasLock).toBe(true);
    expect(first.hasLock).toBe(true);
  });

  it("writes reach the server's page cache and a commit its disk; the server's power loss takes what was not committed", () => {
    const kernel = new Kernel({ seed: 5 });
    const world = new World({ kernel, nodes: [{ name: "nfs" }, { name: "m1" }], disk: "nvme" });
    world.install("nfs", new SharedStoreServer(world, { lockRecovery: "nlm" }));
    const acks: string[] = [];
    let client: SharedStoreClient | null = null;
    world.install("m1", {
      start: (node: WorldNode) => {
        client = new SharedStoreClient({ world, node, server: "nfs", lockRecovery: "nlm" });
        client.start();
      },
    });
    world.boot();
    const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
    runTo(10 * MS);
    client!.write("journal", "a", 1_000, (reply) => acks.push(reply.kind), null);
    client!.commit("journal", (reply) => acks.push(reply.kind), null);
    runTo(50 * MS);
    client!.write("journal", "b", 1_000, (reply) => acks.push(reply.kind), null);
    runTo(60 * MS);
    expect(acks).toEqual(["WRITE_OK", "COMMIT_OK", "WRITE_OK"]);
    world.powerLoss("nfs");
    world.restart("nfs");
    runTo(100 * MS);
    const file = world.disk("nfs").open("export/journal");
    expect(file.records.map((record) => record.value)).toEqual(["a"]);
  });
});
