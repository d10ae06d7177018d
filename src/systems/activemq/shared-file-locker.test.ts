import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { SharedStoreClient } from "../../world/shared-store-client.js";
import type { LockRecovery } from "../../world/shared-store-protocol.js";
import { SharedStoreServer } from "../../world/shared-store-server.js";
import { World } from "../../world/world.js";
import { SHARED_FILE_LOCKER_DEFAULTS, SharedFileLocker } from "./shared-file-locker.js";

const S = 1_000_000_000;

/** A broker reduced to its locker: master from onAcquired until onLost. */
class LockingBroker implements NodeSoftware {
  locker: SharedFileLocker | null = null;
  masterSinceNs = -1;
  lostAtNs = -1;

  constructor(
    private readonly world: World,
    private readonly lockRecovery: LockRecovery,
    private readonly lockKeepAlivePeriod: number,
  ) {}

  start(node: WorldNode): void {
    const client = new SharedStoreClient({ world: this.world, node, server: "nfs", lockRecovery: this.lockRecovery, leaseNs: 30 * S });
    client.start();
    this.masterSinceNs = -1;
    this.locker = new SharedFileLocker(node, client, { ...SHARED_FILE_LOCKER_DEFAULTS, lockKeepAlivePeriod: this.lockKeepAlivePeriod }, {
      onAcquired: () => (this.masterSinceNs = node.now),
      onLost: () => (this.lostAtNs = node.now),
    });
    this.locker.start();
  }

  get isMaster(): boolean {
    return this.locker?.isMaster ?? false;
  }
}

function setup(lockRecovery: LockRecovery, lockKeepAlivePeriod = 0) {
  const kernel = new Kernel({ seed: 3 });
  const world = new World({ kernel, nodes: [{ name: "nfs" }, { name: "b1" }, { name: "b2" }], disk: "nvme" });
  world.install("nfs", new SharedStoreServer(world, { lockRecovery, leaseNs: 30 * S }));
  const first = new LockingBroker(world, lockRecovery, lockKeepAlivePeriod);
  const second = new LockingBroker(world, lockRecovery, lockKeepAlivePeriod);
  world.install("b1", first);
  world.install("b2", second);
  world.boot();
  const runTo = (ns: number): void => void kernel.scheduler.run({ untilNs: ns });
  return { world, first, second, runTo };
}

describe("ActiveMQ's SharedFileLocker", () => {
  it("one broker is master, the other waits as a slave and takes over within a retry (10 s) of the master's process crash", () => {
    const { world, first, second, runTo } = setup("nlm");
    runTo(5 * S);
    const [master, slave] = first.isMaster ? [first, second] : [second, first];
    expect(master.isMaster && !slave.isMaster).toBe(true);
    world.processCrash(master === first ? "b1" : "b2");
    runTo(30 * S);
    expect(slave.isMaster).toBe(true);
    expect(slave.masterSinceNs).toBeLessThan(16 * S);
  });

  it("NFSv3: the master's machine lost for good keeps the lock, and the slave never takes over (A1)", () => {
    const { world, first, second, runTo } = setup("nlm");
    runTo(5 * S);
    const [master, slave] = first.isMaster ? [first, second] : [second, first];
    world.machineLoss(master === first ? "b1" : "b2");
    runTo(600 * S);
    expect(slave.isMaster).toBe(false);
  });

  it("NFSv4 and lockKeepAlivePeriod 0: a master cut off from the store for longer than the lease is replaced and never notices (two masters)", () => {
    const { world, first, second, runTo } = setup("lease");
    runTo(5 * S);
    const [master, slave] = first.isMaster ? [first, second] : [second, first];
    world.partition({ kind: "total", groups: [[master === first ? "b1" : "b2"], ["nfs"]] }, "cut");
    runTo(60 * S);
    world.heal("cut");
    runTo(120 * S);
    expect(slave.isMaster).toBe(true);
    expect(master.isMaster).toBe(true);
  });

  it("with lockKeepAlivePeriod set, the replaced master reads the lock file after the heal, finds another's record and gives up", () => {
    const { world, first, second, runTo } = setup("lease", 5_000);
    runTo(5 * S);
    const [master, slave] = first.isMaster ? [first, second] : [second, first];
    world.partition({ kind: "total", groups: [[master === first ? "b1" : "b2"], ["nfs"]] }, "cut");
    runTo(60 * S);
    world.heal("cut");
    runTo(200 * S);
    expect(slave.isMaster).toBe(true);
    expect(master.isMaster).toBe(false);
    expect(master.lostAtNs).toBeGreaterThan(60 * S);
  });
});
