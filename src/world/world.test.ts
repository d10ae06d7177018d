/**
 * World fault verbs, as scripts: boot a small cluster, run to a virtual time,
 * apply a verb, run on, and look at what the software and the disks saw.
 */
import { describe, expect, it } from "vitest";
import { SimulatorBug } from "../kernel/assert.js";
import { Kernel } from "../kernel/kernel.js";
import { milliseconds, seconds } from "../kernel/time.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "./connection.js";
import type { DiskFile } from "./disk.js";
import type { NodeSoftware, WorldNode } from "./node.js";
import { SHUTDOWN_GRACE_NS, SHUTDOWN_TIMEOUT_NS, World } from "./world.js";

const LATENCY_NS = 100_000;
/** 1 GB/s NICs: a 100-byte message spends 100 ns on the wire, then LATENCY_NS in flight. */
const NIC_BYTES_PER_SEC = 1_000_000_000;
const MESSAGE_BYTES = 100;
const ONE_WAY_NS = LATENCY_NS + 100;
const CONNECT_TIMEOUT_NS = seconds(1);
const LOG = "app.log";

function makeWorld(seed = 1) {
  const kernel = new Kernel({ seed });
  const world = new World({
    kernel,
    nodes: 3,
    network: {
      nic: { egressBytesPerSec: NIC_BYTES_PER_SEC },
      latency: { kind: "constant", value: LATENCY_NS },
      framing: null,
      connectTimeoutNs: CONNECT_TIMEOUT_NS,
    },
    disk: "nvme",
  });
  /** Runs the world up to (and including) virtual time `timeNs`. */
  const runTo = (timeNs: number): void => {
    const result = kernel.scheduler.run({ untilNs: timeNs });
    expect(result.reason).toBe("time-reached");
  };
  return { kernel, world, runTo };
}

interface Start {
  node: string;
  incarnation: number;
  atNs: number;
  /** The values of LOG's records when the process started: what recovery sees. */
  recovered: unknown[];
}

/** Logs every start and what the disk held at that moment. */
class StartLog implements NodeSoftware {
  readonly starts: Start[] = [];
  constructor(private readonly world: World) {}
  start(node: WorldNode): void {
    const log = this.world.disk(node.name).open(LOG);
    this.starts.push({ node: node.name, incarnation: node.incarnation, atNs: node.now, recovered: log.records.map((record) => record.value) });
  }
  of(name: string): Start[] {
    return this.starts.filter((start) => start.node === name);
  }
}

/** At every start, sets one process timer `delayNs` later; logs which incarnation's timers fire, and when. */
class TimerSoftware implements NodeSoftware {
  readonly fired: { incarnation: number; atNs: number }[] = [];
  constructor(private readonly delayNs: number) {}
  start(node: WorldNode): void {
    const incarnation = node.incarnation;
    node.after(this.delayNs, () => this.fired.push({ incarnation, atNs: node.now }));
  }
}

/** Records what one connection end hears, with virtual times. */
class Ends implements ConnectionHandler {
  endpoint: Endpoint | null = null;
  readonly opened: number[] = [];
  readonly data: { atNs: number; payload: unknown }[] = [];
  readonly closes: { atNs: number; reason: CloseReason }[] = [];
  constructor(private readonly kernel: Kernel) {}
  onOpen(endpoint: Endpoint): void {
    this.endpoint = endpoint;
    this.opened.push(this.kernel.now);
  }
  onData(_endpoint: Endpoint, payload: unknown): void {
    this.data.push({ atNs: this.kernel.now, payload });
  }
  onClose(_endpoint: Endpoint, reason: CloseReason): void {
    this.closes.push({ atNs: this.kernel.now, reason });
  }
}

/** Listens on the given ports at every start; each accepted end gets its own recorder. */
class Server implements NodeSoftware {
  readonly accepted = new Map<string, Ends[]>();
  constructor(
    private readonly world: World,
    private readonly ports: readonly string[],
  ) {}
  start(node: WorldNode): void {
    for (const port of this.ports) {
      this.world.net.listen(node, port, {
        accept: (endpoint) => {
          const ends = new Ends(this.world.kernel);
          ends.endpoint = endpoint;
          this.accepted.set(port, [...(this.accepted.get(port) ?? []), ends]);
          return ends;
        },
      });
    }
  }
  last(port: string): Ends {
    const list = this.accepted.get(port);
    expect(list, `nothing accepted on ${port}`).toBeDefined();
    return list!.at(-1)!;
  }
}

/** Software that does nothing: for nodes the test drives directly. */
const IDLE: NodeSoftware = { start: () => undefined };

function values(file: DiskFile): unknown[] {
  return file.records.map((record) => record.value);
}

describe("world: boot and restart", () => {
  it("boot starts every node's software once, with incarnation 1", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    for (const node of world.nodes) world.install(node.name, log);
    expect(world.nodes.map((node) => node.state)).toEqual(["crashed", "crashed", "crashed"]);
    world.boot();
    expect(log.starts.map(({ node, incarnation, atNs }) => ({ node, incarnation, atNs }))).toEqual([
      { node: "n1", incarnation: 1, atNs: 0 },
      { node: "n2", incarnation: 1, atNs: 0 },
      { node: "n3", incarnation: 1, atNs: 0 },
    ]);
    expect(world.nodes.every((node) => node.isUp && node.isMachineUp)).toBe(true);
    // Booting a running world again, or just running it, starts nothing more.
    world.boot();
    runTo(seconds(1));
    expect(log.starts).toHaveLength(3);
  });

  it("restart after a process crash starts the software again with the next incarnation", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    for (const node of world.nodes) world.install(node.name, log);
    world.boot();
    runTo(milliseconds(5));
    expect(world.processCrash("n2")).toBe(true);
    expect(world.node("n2").state).toBe("crashed");
    runTo(milliseconds(7));
    expect(world.restart("n2")).toBe(true);
    expect(log.of("n2").map(({ incarnation, atNs }) => ({ incarnation, atNs }))).toEqual([
      { incarnation: 1, atNs: 0 },
      { incarnation: 2, atNs: milliseconds(7) },
    ]);
    expect(world.node("n2").incarnation).toBe(2);
    // The other nodes were not touched.
    expect(log.of("n1")).toHaveLength(1);
    expect(log.of("n3")).toHaveLength(1);
  });

  it("the crashed incarnation's timers never fire; the new incarnation's do", () => {
    const { world, runTo } = makeWorld();
    const software = new TimerSoftware(milliseconds(10));
    world.install("n1", software);
    world.install("n2", IDLE);
    world.install("n3", IDLE);
    world.boot(); // incarnation 1 sets a timer for 10 ms
    const n1 = world.node("n1");
    const scriptTimer: number[] = [];
    n1.after(milliseconds(8), () => scriptTimer.push(n1.now)); // also process work of incarnation 1
    runTo(milliseconds(5));
    world.processCrash("n1");
    runTo(milliseconds(20)); // past both old timers
    expect(software.fired).toEqual([]);
    expect(scriptTimer).toEqual([]);
    world.restart("n1"); // incarnation 2 sets a timer for 30 ms
    runTo(milliseconds(100));
    expect(software.fired).toEqual([{ incarnation: 2, atNs: milliseconds(30) }]);
    expect(scriptTimer).toEqual([]);
  });

  it("restart after a power loss also starts a new incarnation, and its timers fire", () => {
    const { world, runTo } = makeWorld();
    const software = new TimerSoftware(milliseconds(10));
    for (const node of world.nodes) world.install(node.name, software);
    world.boot();
    runTo(milliseconds(1));
    world.powerLoss("n3");
    expect(world.node("n3").isMachineUp).toBe(false);
    runTo(milliseconds(50));
    world.restart("n3");
    runTo(milliseconds(100));
    expect(world.node("n3").incarnation).toBe(2);
    expect(software.fired).toEqual([
      { incarnation: 1, atNs: milliseconds(10) }, // n1
      { incarnation: 1, atNs: milliseconds(10) }, // n2
      { incarnation: 2, atNs: milliseconds(60) }, // n3, again
    ]);
  });

  it("a node crashed while paused comes back running: its new timers are not held", () => {
    const { world, runTo } = makeWorld();
    const software = new TimerSoftware(milliseconds(10));
    world.install("n1", software);
    world.boot();
    world.pause("n1");
    world.processCrash("n1");
    runTo(milliseconds(20));
    world.restart("n1");
    runTo(milliseconds(100));
    expect(software.fired).toEqual([{ incarnation: 2, atNs: milliseconds(30) }]);
  });
});

describe("world: what a crash leaves on disk", () => {
  it("a process crash keeps page-cache data that was never fsynced", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    world.install("n1", log);
    world.boot();
    const disk = world.disk("n1");
    const file = disk.open<string>(LOG);
    expect(disk.append(file, "a", 1000)).toBe("ok");
    expect(disk.append(file, "b", 1000)).toBe("ok");
    runTo(milliseconds(10));
    expect(file.durableBytes).toBe(0); // no fsync, and writeback waits 30 s
    world.processCrash("n1");
    runTo(milliseconds(20));
    world.restart("n1");
    expect(log.of("n1").map((start) => start.recovered)).toEqual([[], ["a", "b"]]);
    expect(values(disk.open(LOG))).toEqual(["a", "b"]);
    expect(disk.stats().bytesLostAtPowerLoss).toBe(0);
  });

  it("a power loss loses the un-fsynced suffix and keeps the fsynced records", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    world.install("n1", log);
    world.boot();
    const disk = world.disk("n1");
    const file = disk.open<string>(LOG);
    disk.append(file, "a", 1000);
    disk.append(file, "b", 1000);
    let syncedAt = -1;
    disk.fsync(file, () => (syncedAt = world.now), null);
    runTo(milliseconds(20));
    expect(syncedAt).toBeGreaterThan(0);
    disk.append(file, "c", 1000);
    disk.append(file, "d", 1000);
    runTo(milliseconds(30));
    expect(values(file)).toEqual(["a", "b", "c", "d"]);
    world.powerLoss("n1");
    runTo(milliseconds(40));
    world.restart("n1");
    expect(log.of("n1").map((start) => start.recovered)).toEqual([[], ["a", "b"]]);
    expect(values(disk.open(LOG))).toEqual(["a", "b"]);
    expect(disk.stats().bytesLostAtPowerLoss).toBe(2000);
  });

  it("an fsync in flight at a process crash still completes on the device, but its callback is never called", () => {
    const { world, runTo } = makeWorld();
    world.install("n1", IDLE);
    world.boot();
    const disk = world.disk("n1");
    const file = disk.open(LOG);
    disk.append(file, "a", 1000);
    const callbacks: number[] = [];
    disk.fsync(file, () => callbacks.push(world.now), null);
    runTo(milliseconds(1)); // nvme fsync takes ~3.5 ms
    world.processCrash("n1");
    runTo(milliseconds(20));
    expect(file.durableBytes).toBe(1000); // the OS finished the write
    expect(callbacks).toEqual([]); // the dead process never hears of it
    world.restart("n1");
    runTo(milliseconds(40));
    expect(callbacks).toEqual([]);
  });
});

describe("world: pause", () => {
  it("holds a paused node's timers and releases them at resume time", () => {
    const { world, runTo } = makeWorld();
    const software = new TimerSoftware(milliseconds(10));
    world.install("n1", software);
    world.install("n2", software);
    world.boot();
    runTo(milliseconds(5));
    expect(world.pause("n1")).toBe(true);
    expect(world.node("n1").state).toBe("paused");
    runTo(milliseconds(30));
    // n2's timer fired on time; n1's is held.
    expect(software.fired).toEqual([{ incarnation: 1, atNs: milliseconds(10) }]);
    expect(world.resume("n1")).toBe(true);
    runTo(milliseconds(31));
    expect(software.fired).toEqual([
      { incarnation: 1, atNs: milliseconds(10) },
      { incarnation: 1, atNs: milliseconds(30) },
    ]);
  });

  it("holds deliveries to a paused node until resume, and does not break its connections", () => {
    const { kernel, world, runTo } = makeWorld();
    const server = new Server(world, ["app"]);
    world.install("n1", IDLE);
    world.install("n2", server);
    world.boot();
    const client = new Ends(kernel);
    world.net.connect(world.node("n1"), world.node("n2"), "app", "data", client);
    runTo(milliseconds(1));
    expect(client.opened).toEqual([2 * LATENCY_NS]);
    const serverEnd = server.last("app");

    world.pause("n2");
    runTo(milliseconds(2));
    expect(client.endpoint!.send("hello", MESSAGE_BYTES)).toBe(true);
    // Far past the time a silent peer would be detected.
    runTo(seconds(10));
    expect(serverEnd.data).toEqual([]);
    expect(client.closes).toEqual([]);
    expect(serverEnd.closes).toEqual([]);
    expect(world.net.openConnectionCount()).toBe(1);

    world.resume("n2");
    runTo(seconds(10));
    expect(serverEnd.data).toEqual([{ atNs: seconds(10), payload: "hello" }]);
    // The connection still works both ways.
    expect(serverEnd.endpoint!.send("world", MESSAGE_BYTES)).toBe(true);
    runTo(seconds(11));
    expect(client.data).toEqual([{ atNs: seconds(10) + ONE_WAY_NS, payload: "world" }]);
    expect(client.closes).toEqual([]);
    expect(serverEnd.closes).toEqual([]);
  });
});

describe("world: verbs in the wrong state do nothing", () => {
  it("crash a crashed node, restart an up node, resume an up node, pause a crashed node, power off twice", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    for (const node of world.nodes) world.install(node.name, log);
    world.boot();
    const [n1, n2, n3] = [world.node("n1"), world.node("n2"), world.node("n3")];

    expect(world.restart("n1")).toBe(false);
    expect(world.resume("n1")).toBe(false);
    expect(n1.state).toBe("up");

    expect(world.processCrash("n1")).toBe(true);
    expect(world.processCrash("n1")).toBe(false);
    expect(world.pause("n1")).toBe(false);
    expect(world.resume("n1")).toBe(false);
    expect(n1.state).toBe("crashed");

    expect(world.pause("n2")).toBe(true);
    expect(world.pause("n2")).toBe(false);
    expect(world.restart("n2")).toBe(false);
    expect(n2.state).toBe("paused");
    expect(world.resume("n2")).toBe(true);
    expect(world.resume("n2")).toBe(false);
    expect(n2.state).toBe("up");

    expect(world.powerLoss("n3")).toBe(true);
    expect(world.powerLoss("n3")).toBe(false);
    expect(world.processCrash("n3")).toBe(false);
    expect(n3.isMachineUp).toBe(false);

    runTo(milliseconds(10));
    // None of the no-ops started anything: only boot did.
    expect(log.starts).toHaveLength(3);
    expect([n1.incarnation, n2.incarnation, n3.incarnation]).toEqual([1, 1, 1]);
  });

  it("machineLoss takes the machine and its disk: even fsynced data is gone, and the restart is a replacement with an empty disk", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    world.install("n1", log);
    world.boot();
    const disk = world.disk("n1");
    const file = disk.open<string>(LOG);
    disk.append(file, "a", 1000);
    let syncedAt = -1;
    disk.fsync(file, () => (syncedAt = world.now), null);
    runTo(milliseconds(20));
    expect(syncedAt).toBeGreaterThan(0);
    expect(world.machineLoss("n1")).toBe(true);
    expect(world.node("n1").isMachineUp).toBe(false);
    expect(disk.list()).toEqual([]);
    runTo(milliseconds(30));
    world.restart("n1");
    // A power loss would have kept the fsynced "a" (the test above); the replacement recovers nothing.
    expect(log.of("n1").map((start) => start.recovered)).toEqual([[], []]);
    expect(disk.usedBytes).toBe(0);
    // The replacement writes and keeps as any disk does.
    const fresh = disk.open<string>(LOG);
    disk.append(fresh, "b", 1000);
    expect(values(fresh)).toEqual(["b"]);
  });

  it("powerLoss of a process-crashed node powers the machine off, losing its page cache; restart works", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    world.install("n1", log);
    world.boot();
    const disk = world.disk("n1");
    const file = disk.open(LOG);
    disk.append(file, "cached", 1000);
    runTo(milliseconds(1));
    world.processCrash("n1");
    const n1 = world.node("n1");
    expect(n1.isMachineUp).toBe(true);
    expect(world.powerLoss("n1")).toBe(true);
    expect(n1.isMachineUp).toBe(false);
    expect(n1.state).toBe("crashed");
    expect(world.powerLoss("n1")).toBe(false);
    runTo(milliseconds(2));
    expect(world.restart("n1")).toBe(true);
    expect(n1.state).toBe("up");
    expect(n1.isMachineUp).toBe(true);
    expect(n1.incarnation).toBe(2);
    expect(log.of("n1").map((start) => start.recovered)).toEqual([[], []]);
    expect(disk.stats().bytesLostAtPowerLoss).toBe(1000);
  });

  it("rejects unknown node names loudly", () => {
    const { world } = makeWorld();
    expect(() => world.processCrash("n9")).toThrow(/unknown node "n9"/);
  });
});

describe("world: partitions", () => {
  it("a partition scoped to class data holds the data connection open and leaves the control session alone", () => {
    const { kernel, world, runTo } = makeWorld();
    const server = new Server(world, ["data", "control"]);
    world.install("n1", IDLE);
    world.install("n2", server);
    world.install("n3", IDLE);
    world.boot();
    const n1 = world.node("n1");
    const n2 = world.node("n2");
    const data = new Ends(kernel);
    const control = new Ends(kernel);
    world.net.connect(n1, n2, "data", "data", data);
    world.net.connect(n1, n2, "control", "control", control);
    runTo(milliseconds(1));
    expect(data.endpoint?.isOpen).toBe(true);
    expect(control.endpoint?.isOpen).toBe(true);

    const name = world.partition({ kind: "total", groups: [["n1"], ["n2", "n3"]], classes: ["data"] }, "cut");
    expect(name).toBe("cut");
    const cutAt = world.now;
    // TCP keeps the connection: the send is accepted and retransmitted while the cut lasts.
    expect(data.endpoint!.send("held", MESSAGE_BYTES)).toBe(true);
    expect(control.endpoint!.send("ping", MESSAGE_BYTES)).toBe(true);
    // A new data connection cannot get through while the cut lasts.
    const retry = new Ends(kernel);
    world.net.connect(n1, n2, "data", "data", retry);
    runTo(cutAt + seconds(5));
    expect(server.accepted.get("data")![0]!.data).toEqual([]);
    expect(retry.closes).toEqual([{ atNs: cutAt + CONNECT_TIMEOUT_NS, reason: "connect-timeout" }]);
    // The held data left the NIC first (100 ns), so the ping follows it onto the wire.
    expect(server.last("control").data).toEqual([{ atNs: cutAt + ONE_WAY_NS + 100, payload: "ping" }]);

    expect(world.heal("cut")).toBe(1);
    expect(world.heal("cut")).toBe(0);
    runTo(cutAt + seconds(10));
    // The retransmission 6.2 s after the loss gets through.
    expect(server.accepted.get("data")![0]!.data).toEqual([{ atNs: cutAt + ONE_WAY_NS + milliseconds(6_200) + ONE_WAY_NS, payload: "held" }]);
    expect([...data.closes, ...server.accepted.get("data")![0]!.closes, ...control.closes]).toEqual([]);
    const healed = new Ends(kernel);
    world.net.connect(n1, n2, "data", "data", healed);
    runTo(world.now + milliseconds(1));
    expect(healed.endpoint?.isOpen).toBe(true);
  });

  it("an unscoped partition through world holds every class until its heal", () => {
    const { kernel, world, runTo } = makeWorld();
    const server = new Server(world, ["control"]);
    world.install("n1", IDLE);
    world.install("n2", server);
    world.boot();
    const control = new Ends(kernel);
    world.net.connect(world.node("n1"), world.node("n2"), "control", "control", control);
    runTo(milliseconds(1));
    world.partition({ kind: "isolate", nodes: ["n2"] });
    control.endpoint!.send("ping", MESSAGE_BYTES);
    runTo(seconds(5));
    expect(server.last("control").data).toEqual([]);
    world.heal();
    runTo(seconds(20));
    expect(server.last("control").data.map((event) => event.payload)).toEqual(["ping"]);
    expect(control.closes).toEqual([]);
  });
});

describe("world: healAll", () => {
  it("resumes paused nodes, restarts crashed ones, heals partitions and disk faults", () => {
    const { world, runTo } = makeWorld();
    const log = new StartLog(world);
    const timers = new TimerSoftware(milliseconds(10));
    world.install("n1", timers);
    world.install("n2", log);
    world.install("n3", log);
    world.boot();
    runTo(milliseconds(1));
    world.pause("n1");
    world.processCrash("n2");
    world.powerLoss("n3");
    world.partition({ kind: "isolate", nodes: ["n1"] }, "iso");
    world.partition({ kind: "one-way", from: ["n2"], to: ["n3"] });
    world.slowDisk("n1", 10);
    world.fullDisk("n1");
    const disk = world.disk("n1");
    const file = disk.open(LOG);
    expect(disk.append(file, "x", 100)).toBe("disk-full");
    runTo(milliseconds(50));
    expect(timers.fired).toEqual([]);

    world.healAll();
    expect(world.nodes.map((node) => node.state)).toEqual(["up", "up", "up"]);
    expect(world.nodes.map((node) => node.incarnation)).toEqual([1, 2, 2]);
    expect(world.node("n3").isMachineUp).toBe(true);
    expect(world.net.partitions.hasPartitions()).toBe(false);
    expect(log.starts.map(({ node, incarnation, atNs }) => ({ node, incarnation, atNs }))).toEqual([
      { node: "n2", incarnation: 1, atNs: 0 },
      { node: "n3", incarnation: 1, atNs: 0 },
      { node: "n2", incarnation: 2, atNs: milliseconds(50) },
      { node: "n3", incarnation: 2, atNs: milliseconds(50) },
    ]);
    runTo(milliseconds(50));
    expect(timers.fired).toEqual([{ incarnation: 1, atNs: milliseconds(50) }]);
    expect(disk.append(file, "x", 100)).toBe("ok");
    // The disk is no longer slow: a fresh fsync costs what an unfaulted nvme fsync costs.
    expect(fsyncNs(world, "n1", file)).toBeLessThan(milliseconds(4));
  });
});

/** Appends 4 KiB to file, fsyncs it, runs until the fsync completes; returns how long it took. */
function fsyncNs(world: World, node: string, file: DiskFile): number {
  const disk = world.disk(node);
  expect(disk.append(file, "block", 4096)).toBe("ok");
  const startNs = world.now;
  let doneNs = -1;
  disk.fsync(file, () => (doneNs = world.now), null);
  world.kernel.scheduler.run({ until: () => doneNs >= 0 });
  expect(doneNs).toBeGreaterThanOrEqual(0);
  return doneNs - startNs;
}

describe("world: disk faults", () => {
  it("slowDisk makes an fsync slower by about its factor; healDisk restores the speed", () => {
    const { world } = makeWorld();
    world.install("n1", IDLE);
    world.boot();
    const file = world.disk("n1").open(LOG);
    fsyncNs(world, "n1", file); // the first request to a file pays a switch: warm up
    const normal = fsyncNs(world, "n1", file);
    expect(normal).toBeGreaterThan(milliseconds(3)); // nvme: ~3.5 ms flush
    world.slowDisk("n1", 10);
    const slow = fsyncNs(world, "n1", file);
    expect(slow / normal).toBeGreaterThan(9.9);
    expect(slow / normal).toBeLessThan(10.1);
    world.healDisk("n1");
    expect(fsyncNs(world, "n1", file)).toBe(normal);
  });

  it("slowDisk rejects a factor below 1", () => {
    const { world } = makeWorld();
    world.boot();
    expect(() => world.slowDisk("n1", 0.5)).toThrow(SimulatorBug);
  });

  it("fullDisk makes append return disk-full and store nothing; healDisk clears it", () => {
    const { world } = makeWorld();
    world.install("n2", IDLE);
    world.boot();
    const disk = world.disk("n2");
    const file = disk.open<string>(LOG);
    expect(disk.append(file, "before", 100)).toBe("ok");
    world.fullDisk("n2");
    expect(disk.append(file, "rejected", 100)).toBe("disk-full");
    expect(values(file)).toEqual(["before"]);
    expect(disk.usedBytes).toBe(100);
    // Only n2's disk is full.
    const other = world.disk("n1");
    expect(other.append(other.open(LOG), "fine", 100)).toBe("ok");
    world.healDisk("n2");
    expect(disk.append(file, "after", 100)).toBe("ok");
    expect(values(file)).toEqual(["before", "after"]);
    expect(disk.stats().fullRejections).toBe(1);
  });
});

describe("World.shutdown (an orderly stop)", () => {
  it("tells the software first, then the process exits SHUTDOWN_GRACE_NS later; a node that is not up is left alone", () => {
    const kernel = new Kernel({ seed: 1 });
    const world = new World({ kernel, nodes: 2 });
    const notices: number[] = [];
    const software: NodeSoftware = { start: () => undefined, shutdown: (node) => void notices.push(node.now) };
    world.install("n1", software);
    world.boot();
    kernel.scheduler.run({ untilNs: milliseconds(10) });
    expect(world.shutdown("n1")).toBe(true);
    expect(notices).toEqual([milliseconds(10)]);
    expect(world.node("n1").state).toBe("up");
    kernel.scheduler.run({ untilNs: milliseconds(10) + SHUTDOWN_GRACE_NS });
    expect(world.node("n1").state).toBe("crashed");
    expect(world.shutdown("n1")).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it("lets software that asks for time exit by itself, and kills it SHUTDOWN_TIMEOUT_NS after the stop if it never does", () => {
    const kernel = new Kernel({ seed: 1 });
    const world = new World({ kernel, nodes: 2 });
    let exitN1: (() => void) | null = null;
    world.install("n1", { start: () => undefined, shutdown: (_node, exit) => ((exitN1 = exit), true) });
    world.install("n2", { start: () => undefined, shutdown: () => true });
    world.boot();
    kernel.scheduler.run({ untilNs: milliseconds(10) });
    world.shutdown("n1");
    world.shutdown("n2");
    kernel.scheduler.run({ untilNs: milliseconds(500) });
    // Past the default grace: both still up, as they asked.
    expect(world.node("n1").state).toBe("up");
    exitN1!();
    expect(world.node("n1").state).toBe("crashed");
    kernel.scheduler.run({ untilNs: milliseconds(10) + SHUTDOWN_TIMEOUT_NS });
    expect(world.node("n2").state).toBe("crashed");
    // A late exit of an earlier incarnation does nothing to the next one.
    world.restart("n1");
    exitN1!();
    expect(world.node("n1").state).toBe("up");
  });
});
