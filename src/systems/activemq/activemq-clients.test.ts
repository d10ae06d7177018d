import { describe, expect, it } from "vitest";
import { runChecks } from "../../checks/index.js";
import { History } from "../../history/history.js";
import { Kernel } from "../../kernel/index.js";
import { SharedStoreServer } from "../../world/shared-store-server.js";
import { World } from "../../world/world.js";
import { ActiveMqBroker } from "./activemq-broker.js";
import { ActiveMqConsumer, ActiveMqProducer } from "./activemq-clients.js";
import { KAHADB_JOURNAL_DEFAULTS } from "./kahadb-journal.js";
import { SHARED_FILE_LOCKER_DEFAULTS } from "./shared-file-locker.js";

const S = 1_000_000_000;

/** Shared-store master/slave (b1, b2 on nfs), a producer and a consumer on failover:(b1,b2). */
function run(faults: (world: World, master: string) => void, isIdempotent = false) {
  const kernel = new Kernel({ seed: 6 });
  const world = new World({ kernel, nodes: ["nfs", "b1", "b2", "p1", "c1"].map((name) => ({ name })), disk: "nvme" });
  const history = new History();
  world.install("nfs", new SharedStoreServer(world, { lockRecovery: "nlm" }));
  const brokers = ["b1", "b2"].map((name) => {
    const broker = new ActiveMqBroker(world, { store: { kind: "shared", server: "nfs", lockRecovery: "nlm" }, kahaDb: KAHADB_JOURNAL_DEFAULTS, locker: SHARED_FILE_LOCKER_DEFAULTS, queues: ["orders"] });
    world.install(name, broker);
    return broker;
  });
  world.install("p1", new ActiveMqProducer(world, { name: "p1", destination: "orders", brokers: ["b1", "b2"], messagesPerSecond: 100, bodyBytes: 512 }, history, 20 * S));
  const consumer = new ActiveMqConsumer(world, { name: "c1", destination: "orders", brokers: ["b1", "b2"], processNsPerMessage: 2_000_000, isIdempotent }, history);
  world.install("c1", consumer);
  world.boot();
  kernel.scheduler.run({ untilNs: 3 * S });
  const master = brokers[0]!.isMaster ? "b1" : "b2";
  faults(world, master);
  kernel.scheduler.run({ untilNs: 60 * S });
  return { history, consumer, brokers };
}

describe("ActiveMQ clients on the failover transport", () => {
  it("a producer's sync sends and a consumer's deliveries carry on across the master's crash: nothing acknowledged is lost", () => {
    const { history, consumer } = run((world, master) => world.processCrash(master));
    expect(consumer.isIdle()).toBe(true);
    const results = runChecks(history, {}, { checks: ["lost", "unexpected"] });
    expect(results.filter((result) => !result.ok).map((result) => result.check)).toEqual([]);
    const acked = history.events.filter((event) => event.type === "send-result" && event.outcome === "ok").length;
    expect(acked).toBeGreaterThan(1_900);
  });

  it("across a failover a consumer may get again what it had processed but not yet had acknowledged: an idempotent consumer applies it once", () => {
    const plain = run((world, master) => world.processCrash(master));
    const idempotent = run((world, master) => world.processCrash(master), true);
    const effects = (history: History): number => history.events.filter((event) => event.type === "effect").length;
    const delivered = (history: History): number => history.events.filter((event) => event.type === "deliver").length;
    expect(effects(idempotent.history)).toBeLessThanOrEqual(delivered(idempotent.history));
    expect(runChecks(idempotent.history, {}, { checks: ["duplicated-effects"] })[0]!.ok).toBe(true);
    expect(delivered(plain.history)).toBeGreaterThanOrEqual(effects(idempotent.history));
  });
});
