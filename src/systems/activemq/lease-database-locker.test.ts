import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { LEASE_LOCKER_DEFAULTS, LeaseDatabaseLocker, type LeaseDatabaseLockerOptions } from "./lease-database-locker.js";
import { LockDatabase } from "./lock-database.js";

const S = 1_000_000_000;

class LockerHost implements NodeSoftware {
  locker: LeaseDatabaseLocker | null = null;
  lostCount = 0;
  constructor(
    private readonly world: World,
    private readonly options: LeaseDatabaseLockerOptions,
  ) {}
  start(node: WorldNode): void {
    this.locker = new LeaseDatabaseLocker(node, this.world, "db", node.name, this.options, { onAcquired: () => undefined, onLost: () => this.lostCount++ });
    this.locker.start();
  }
  get isMaster(): boolean {
    return this.locker?.isMaster ?? false;
  }
}

function setup(options: LeaseDatabaseLockerOptions) {
  const kernel = new Kernel({ seed: 8 });
  const world = new World({ kernel, nodes: ["db", "b1", "b2"].map((name) => ({ name })), disk: "nvme" });
  world.install("db", new LockDatabase(world));
  const hosts = ["b1", "b2"].map((name) => {
    const host = new LockerHost(world, options);
    world.install(name, host);
    return host;
  });
  world.boot();
  /** Runs to `untilNs`, sampling every 100 ms how many brokers believe they are master; returns the most seen at once. */
  const runSampling = (untilNs: number): number => {
    let most = 0;
    while (kernel.now < untilNs) {
      kernel.scheduler.run({ untilNs: Math.min(untilNs, kernel.now + S / 10) });
      most = Math.max(most, hosts.filter((host) => host.isMaster).length);
    }
    return most;
  };
  return { world, hosts, runSampling };
}

describe("ActiveMQ's LeaseDatabaseLocker (JDBC master/slave)", () => {
  it("with the docs' settings (renew every 5 s, a 10 s lease) one broker is master, and the other takes over within a lease and a retry of its crash", () => {
    const { world, hosts, runSampling } = setup({ lockAcquireSleepInterval: 10_000, lockKeepAlivePeriod: 5_000 });
    expect(runSampling(60 * S)).toBe(1);
    const master = hosts[0]!.isMaster ? 0 : 1;
    world.processCrash(master === 0 ? "b1" : "b2");
    runSampling(85 * S);
    expect(hosts[1 - master]!.isMaster).toBe(true);
  });

  it("with the JDBC defaults (a 10 s lease renewed every 30 s) a slave takes the lease from a live master, which learns it at its next renewal: two masters meanwhile", () => {
    const { hosts, runSampling } = setup(LEASE_LOCKER_DEFAULTS);
    expect(runSampling(120 * S)).toBe(2);
    expect(hosts[0]!.lostCount + hosts[1]!.lostCount).toBeGreaterThan(0);
  });

  it("a master cut off from the database keeps running (SQL exceptions are ignored) while the other takes the expired lease", () => {
    const { world, hosts, runSampling } = setup({ lockAcquireSleepInterval: 10_000, lockKeepAlivePeriod: 5_000 });
    runSampling(20 * S);
    const master = hosts[0]!.isMaster ? 0 : 1;
    world.partition({ kind: "total", groups: [[master === 0 ? "b1" : "b2"], ["db"]] }, "cut");
    expect(runSampling(80 * S)).toBe(2);
  });
});
