import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, type RocketBrokerConfig } from "./config.js";
import { HaClient } from "./ha-client.js";
import { HaService } from "./ha-service.js";
import { MessageStore, type PutResult } from "./message-store.js";

const MS = 1_000_000;

/** A master's or a slave's store with its side of HA, rebuilt at every start. */
class HaHost implements NodeSoftware {
  store: MessageStore | null = null;
  ha: HaService | null = null;
  client: HaClient | null = null;
  readonly answers: { atNs: number; status: PutResult["status"] }[] = [];

  constructor(
    private readonly world: World,
    private readonly config: RocketBrokerConfig,
    private readonly master: string | null,
  ) {}

  start(node: WorldNode): void {
    this.store = new MessageStore(node, this.world.disk(node.name), this.config, { onMessageArrived: () => undefined, onBlockedPutReturned: () => undefined });
    this.store.start();
    if (this.config.brokerRole === "SLAVE") {
      this.client = new HaClient(this.world, node, this.store, this.config);
      this.client.start();
      this.client.setMaster(this.master);
      return;
    }
    this.ha = new HaService(this.world, node, this.store, this.config);
    this.ha.start();
    if (this.config.brokerRole === "SYNC_MASTER") this.store.setReplicaWait(this.ha);
  }

  put(idFirst: number, bodyBytes = 1024): void {
    const store = this.store!;
    store.putMessage({ topic: "t", queueId: 0, count: 1, idFirst, bodyBytes }, (result) => this.answers.push({ atNs: this.world.kernel.now, status: result.status }), null);
    if (this.config.brokerRole === "SYNC_MASTER") this.ha!.onSyncPut();
  }
}

function pair(master: Partial<RocketBrokerConfig>, slave: Partial<RocketBrokerConfig> = {}) {
  const kernel = new Kernel({ seed: 5 });
  const world = new World({ kernel, nodes: [{ name: "a" }, { name: "a-s" }], disk: "nvme" });
  const masterHost = new HaHost(world, { ...DEFAULT_BROKER_CONFIG, ...master }, null);
  const slaveHost = new HaHost(world, { ...DEFAULT_BROKER_CONFIG, ...slave, brokerRole: "SLAVE" }, "a");
  world.install("a", masterHost);
  world.install("a-s", slaveHost);
  world.boot();
  const runTo = (timeNs: number): void => void kernel.scheduler.run({ untilNs: timeNs });
  return { world, masterHost, slaveHost, runTo };
}

describe("master/slave replication", () => {
  it("copies an ASYNC_MASTER's log to its slave at the same physical offsets, within the writer's 100 ms sleep", () => {
    const { masterHost, slaveHost, runTo } = pair({ brokerRole: "ASYNC_MASTER" });
    runTo(50 * MS);
    expect(slaveHost.client!.isConnected).toBe(true);
    for (let id = 1; id <= 10; id++) masterHost.put(id);
    runTo(51 * MS);
    expect(masterHost.answers.map((a) => a.status)).toEqual(Array(10).fill("PUT_OK"));
    expect(slaveHost.store!.commitLog.maxOffset).toBe(0);
    runTo(200 * MS);
    expect(slaveHost.store!.commitLog.records).toEqual(masterHost.store!.commitLog.records);
    expect(slaveHost.store!.getMessage("t", 0, 0, 32).ranges.map((r) => r.idFirst)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(masterHost.ha!.push2SlaveMaxOffset).toBe(masterHost.store!.commitLog.maxOffset);
  });

  it("keeps copying across the master's mapped-file roll: the blank that filled the old file's end is no gap (one connection, each byte sent once)", () => {
    // 4 KiB mapped files: puts of ~1.2 KiB (the body and RocketMQ's headers) leave a blank at each file's end.
    const { world, masterHost, slaveHost, runTo } = pair({ brokerRole: "ASYNC_MASTER", mappedFileSizeCommitLog: 4_096 }, { mappedFileSizeCommitLog: 4_096 });
    runTo(50 * MS);
    // Three puts fill most of the first file and reach the slave; the fourth does not fit and starts the second file.
    for (let id = 1; id <= 3; id++) masterHost.put(id);
    runTo(300 * MS);
    for (let id = 4; id <= 12; id++) masterHost.put(id);
    runTo(600 * MS);
    const masterLog = masterHost.store!.commitLog;
    expect(masterLog.records.some((record) => record.physicalOffset % 4_096 === 0 && record.physicalOffset > 0)).toBe(true);
    expect(slaveHost.store!.commitLog.records).toEqual(masterLog.records);
    const marks = new Map(world.kernel.marks.entries());
    expect(marks.get("rocketmq.ha.misaligned") ?? 0).toBe(0);
    const haBytes = world.links().filter((link) => link.from === "a" && link.to === "a-s").reduce((sum, link) => sum + link.bytes, 0);
    const logBytes = masterLog.records.reduce((sum, record) => sum + record.sizeBytes, 0);
    expect(haBytes).toBeLessThan(1.2 * logBytes + 4_096);
  });

  it("loses what an ASYNC_MASTER acknowledged if its machine is lost before the slave copied it", () => {
    const { world, masterHost, slaveHost, runTo } = pair({ brokerRole: "ASYNC_MASTER" });
    // The writer caught up at about 0, 100, 200, 300 ms and sleeps 100 ms each time: a put at 350 ms waits for 400 ms.
    runTo(350 * MS);
    masterHost.put(1);
    runTo(351 * MS);
    expect(masterHost.answers.map((a) => a.status)).toEqual(["PUT_OK"]);
    world.powerLoss("a");
    runTo(2_000 * MS);
    expect(slaveHost.store!.commitLog.maxOffset).toBe(0);
  });

  it("4.9 SYNC_MASTER answers once the slave has the put, and SLAVE_NOT_AVAILABLE at once with no slave", () => {
    const { world, masterHost, slaveHost, runTo } = pair({ brokerRole: "SYNC_MASTER", version: "4.9" });
    runTo(50 * MS);
    masterHost.put(1);
    runTo(51 * MS);
    expect(masterHost.answers).toHaveLength(1);
    expect(masterHost.answers[0]!.status).toBe("PUT_OK");
    // Answered after a round trip to the slave, and the slave has it.
    expect(masterHost.answers[0]!.atNs).toBeGreaterThan(50 * MS + 100_000);
    expect(slaveHost.store!.commitLog.maxOffset).toBe(masterHost.store!.commitLog.maxOffset);
    world.processCrash("a-s");
    runTo(100 * MS);
    masterHost.put(2);
    runTo(101 * MS);
    expect(masterHost.answers.map((a) => a.status)).toEqual(["PUT_OK", "SLAVE_NOT_AVAILABLE"]);
    expect(masterHost.store!.commitLog.records).toHaveLength(2);
  });

  it("5.3 SYNC_MASTER waits for no slave with the default inSyncReplicas = 1, and with inSyncReplicas = 2 times out after slaveTimeout", () => {
    const lax = pair({ brokerRole: "SYNC_MASTER", version: "5.3" });
    lax.runTo(50 * MS);
    lax.world.processCrash("a-s");
    lax.runTo(60 * MS);
    lax.masterHost.put(1);
    lax.runTo(61 * MS);
    expect(lax.masterHost.answers.map((a) => a.status)).toEqual(["PUT_OK"]);

    const strict = pair({ brokerRole: "SYNC_MASTER", version: "5.3", inSyncReplicas: 2 });
    strict.runTo(50 * MS);
    strict.masterHost.put(1);
    strict.runTo(51 * MS);
    expect(strict.masterHost.answers.map((a) => a.status)).toEqual(["PUT_OK"]);
    strict.world.processCrash("a-s");
    strict.runTo(60 * MS);
    strict.masterHost.put(2);
    strict.runTo(3_059 * MS);
    expect(strict.masterHost.answers).toHaveLength(1);
    strict.runTo(3_061 * MS);
    expect(strict.masterHost.answers.map((a) => [a.status, a.atNs])).toEqual([
      ["PUT_OK", strict.masterHost.answers[0]!.atNs],
      ["FLUSH_SLAVE_TIMEOUT", 3_060 * MS],
    ]);
  });

  it("a restarted slave continues from its own log end, and catches up what it missed", () => {
    const { world, masterHost, slaveHost, runTo } = pair({ brokerRole: "ASYNC_MASTER" });
    runTo(50 * MS);
    for (let id = 1; id <= 3; id++) masterHost.put(id);
    runTo(300 * MS);
    world.processCrash("a-s");
    for (let id = 4; id <= 6; id++) masterHost.put(id);
    runTo(400 * MS);
    world.restart("a-s");
    runTo(1_000 * MS);
    expect(slaveHost.store!.commitLog.records.map((r) => r.idFirst)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("a master that lost to a power loss what its slave had copied cannot feed the slave again: the slave refuses the misaligned log", () => {
    const { world, masterHost, slaveHost, runTo } = pair({ brokerRole: "ASYNC_MASTER", flushDiskType: "ASYNC_FLUSH", flushCommitLogLeastPages: 1_000 });
    runTo(50 * MS);
    for (let id = 1; id <= 5; id++) masterHost.put(id);
    runTo(300 * MS);
    // The slave copied all five; the master never flushed them (1,000 pages needed) and loses them with its power.
    expect(slaveHost.store!.commitLog.records).toHaveLength(5);
    world.powerLoss("a");
    world.restart("a");
    runTo(400 * MS);
    expect(masterHost.store!.commitLog.maxOffset).toBe(0);
    // New messages of another size: none starts where the slave's log ends.
    for (let id = 6; id <= 14; id++) masterHost.put(id, 700);
    runTo(20_000 * MS);
    // The slave still holds 1..5 and nothing of the master's new log: replication is stuck, not corrupted.
    expect(slaveHost.store!.commitLog.records.map((r) => r.idFirst)).toEqual([1, 2, 3, 4, 5]);
    expect(world.kernel.marks.entries().some(([mark]) => mark === "rocketmq.ha.misaligned")).toBe(true);
  });
});
