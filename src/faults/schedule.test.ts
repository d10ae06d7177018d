/**
 * Fault schedules: applied at their virtual times, in schedule order for
 * equal times; verbs that do not apply report false; every verb renders on
 * one line; the fast-check arbitraries only produce schedules a world accepts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimulatorBug } from "../kernel/assert.js";
import { Kernel } from "../kernel/kernel.js";
import { milliseconds } from "../kernel/time.js";
import type { Endpoint } from "../world/connection.js";
import type { NodeSoftware, WorldNode } from "../world/node.js";
import type { PartitionSpec } from "../world/partition.js";
import { World } from "../world/world.js";
import { faultScheduleArbitrary, partitionArbitrary, type FaultScheduleOptions } from "./arbitrary.js";
import { describeFault, formatExactNs, type Fault, type FaultVerb, type TimedFault } from "./fault.js";
import { applyFault, scheduleFaults } from "./schedule.js";

const NODE_NAMES = ["n1", "n2", "n3"];
const TRAFFIC_CLASSES = ["data", "control"];

function makeWorld(seed = 1, nodes = 3): { kernel: Kernel; world: World } {
  const kernel = new Kernel({ seed });
  const world = new World({
    kernel,
    nodes,
    network: {
      latency: { kind: "constant", value: 100_000 },
      framing: null,
      connectTimeoutNs: milliseconds(100),
    },
    disk: "nvme",
  });
  return { kernel, world };
}

/** Counts starts per node, so a test can see restarts. */
class Starts implements NodeSoftware {
  readonly log: string[] = [];
  start(node: WorldNode): void {
    this.log.push(`${node.name}#${node.incarnation}@${node.now}`);
  }
}

const EVERY_VERB: readonly FaultVerb[] = [
  "processCrash",
  "powerLoss",
  "restart",
  "pause",
  "resume",
  "partition",
  "heal",
  "slowDisk",
  "fullDisk",
  "fsyncLies",
  "tornWrites",
  "healDisk",
  "datagramFaults",
  "healAll",
];

/** One example of every verb. */
const ONE_OF_EACH: readonly TimedFault[] = [
  { atNs: 0, verb: "processCrash", node: "n1" },
  { atNs: 1, verb: "powerLoss", node: "n2" },
  { atNs: 1_500_000, verb: "restart", node: "n1" },
  { atNs: 2_000_000, verb: "pause", node: "n3" },
  { atNs: 3_000_000, verb: "resume", node: "n3" },
  { atNs: 4_000_000, verb: "partition", name: "cut", spec: { kind: "total", groups: [["n1"], ["n2", "n3"]], classes: ["data"] } },
  { atNs: 4_000_000, verb: "partition", spec: { kind: "isolate", nodes: ["n3"] } },
  { atNs: 5_000_000, verb: "heal", name: "cut" },
  { atNs: 5_000_000, verb: "heal" },
  { atNs: 6_000_000, verb: "slowDisk", node: "n1", factor: 7 },
  { atNs: 7_000_000, verb: "fullDisk", node: "n1" },
  { atNs: 8_000_000, verb: "fsyncLies", node: "n2" },
  { atNs: 9_000_000, verb: "tornWrites", node: "n3" },
  { atNs: 10_000_000, verb: "healDisk", node: "n1" },
  {
    atNs: 11_000_000,
    verb: "datagramFaults",
    faults: {
      loss: { numerator: 1, denominator: 10 },
      duplicate: { numerator: 0, denominator: 1 },
      reorder: { numerator: 0, denominator: 1 },
      reorderDelay: { kind: "constant", value: 0 },
    },
  },
  { atNs: 11_000_000, verb: "datagramFaults", faults: null },
  { atNs: 12_000_000, verb: "healAll" },
];

describe("scheduleFaults", () => {
  it("applies each verb at its virtual time, not before", () => {
    const { kernel, world } = makeWorld();
    world.boot();
    scheduleFaults(world, [
      { atNs: milliseconds(3), verb: "restart", node: "n1" },
      { atNs: milliseconds(1), verb: "processCrash", node: "n1" },
      { atNs: milliseconds(2), verb: "pause", node: "n2" },
    ]);
    const n1 = world.node("n1");
    const n2 = world.node("n2");
    const states = (): string => `${n1.state}#${n1.incarnation} ${n2.state}`;
    kernel.scheduler.run({ untilNs: milliseconds(1) - 1 });
    expect(states()).toBe("up#1 up");
    kernel.scheduler.run({ untilNs: milliseconds(1) });
    expect(states()).toBe("crashed#1 up");
    kernel.scheduler.run({ untilNs: milliseconds(2) - 1 });
    expect(states()).toBe("crashed#1 up");
    kernel.scheduler.run({ untilNs: milliseconds(2) });
    expect(states()).toBe("crashed#1 paused");
    kernel.scheduler.run({ untilNs: milliseconds(3) - 1 });
    expect(states()).toBe("crashed#1 paused");
    kernel.scheduler.run({ untilNs: milliseconds(3) });
    expect(states()).toBe("up#2 paused");
  });

  it("applies faults at the same time in schedule order", () => {
    // Crash-then-restart leaves n1 running a new incarnation; restart-then-crash
    // (the restart a no-op on a running node) would leave it down.
    const { kernel, world } = makeWorld();
    const starts = new Starts();
    world.install("n1", starts);
    world.install("n2", starts);
    world.boot();
    const at = milliseconds(5);
    scheduleFaults(world, [
      { atNs: at, verb: "processCrash", node: "n1" },
      { atNs: at, verb: "restart", node: "n1" },
      { atNs: at, verb: "restart", node: "n2" },
      { atNs: at, verb: "processCrash", node: "n2" },
      { atNs: at, verb: "pause", node: "n3" },
      { atNs: at, verb: "resume", node: "n3" },
      { atNs: at, verb: "pause", node: "n3" },
    ]);
    kernel.scheduler.run({ untilNs: milliseconds(10) });
    expect(world.node("n1").state).toBe("up");
    expect(world.node("n1").incarnation).toBe(2);
    expect(world.node("n2").state).toBe("crashed");
    expect(world.node("n3").state).toBe("paused");
    expect(starts.log).toEqual(["n1#1@0", "n2#1@0", `n1#2@${at}`]);
  });

  it("keeps schedule order for equal times even when the schedule is not sorted", () => {
    const { kernel, world } = makeWorld();
    world.boot();
    scheduleFaults(world, [
      { atNs: milliseconds(2), verb: "processCrash", node: "n1" },
      { atNs: milliseconds(1), verb: "pause", node: "n2" },
      { atNs: milliseconds(2), verb: "restart", node: "n1" },
    ]);
    kernel.scheduler.run({ untilNs: milliseconds(3) });
    expect(world.node("n1").state).toBe("up");
    expect(world.node("n1").incarnation).toBe(2);
    expect(world.node("n2").state).toBe("paused");
  });

  it("refuses a fault in the past", () => {
    const { kernel, world } = makeWorld();
    world.boot();
    kernel.scheduler.run({ untilNs: milliseconds(5) });
    expect(() => scheduleFaults(world, [{ atNs: milliseconds(4), verb: "pause", node: "n1" }])).toThrow(SimulatorBug);
    expect(() => scheduleFaults(world, [{ atNs: milliseconds(5) + 0.5, verb: "pause", node: "n1" }])).toThrow(SimulatorBug);
  });
});

describe("applyFault", () => {
  it("returns false for verbs that do not apply, true for those that do", () => {
    const { world } = makeWorld();
    world.boot();
    const apply = (fault: Fault): boolean => applyFault(world, fault);

    expect(apply({ verb: "restart", node: "n1" })).toBe(false); // up
    expect(apply({ verb: "resume", node: "n1" })).toBe(false); // not paused
    expect(apply({ verb: "heal" })).toBe(false); // no partition
    expect(apply({ verb: "heal", name: "nope" })).toBe(false);

    expect(apply({ verb: "processCrash", node: "n1" })).toBe(true);
    expect(apply({ verb: "processCrash", node: "n1" })).toBe(false);
    expect(apply({ verb: "pause", node: "n1" })).toBe(false); // crashed
    expect(apply({ verb: "restart", node: "n1" })).toBe(true);

    expect(apply({ verb: "pause", node: "n2" })).toBe(true);
    expect(apply({ verb: "pause", node: "n2" })).toBe(false);
    expect(apply({ verb: "resume", node: "n2" })).toBe(true);

    expect(apply({ verb: "powerLoss", node: "n3" })).toBe(true);
    expect(apply({ verb: "powerLoss", node: "n3" })).toBe(false);

    const spec: PartitionSpec = { kind: "isolate", nodes: ["n2"] };
    expect(apply({ verb: "partition", name: "p", spec })).toBe(true);
    expect(apply({ verb: "partition", name: "p", spec })).toBe(false); // already active under that name
    expect(world.net.partitions.activeNames()).toEqual(["p"]);
    expect(apply({ verb: "heal", name: "p" })).toBe(true);
    expect(apply({ verb: "heal", name: "p" })).toBe(false);

    expect(apply({ verb: "healAll" })).toBe(true);
    expect(world.nodes.map((node) => node.state)).toEqual(["up", "up", "up"]);
  });

  it("applies every verb of a schedule without error and ends healed", () => {
    const { kernel, world } = makeWorld();
    world.boot();
    scheduleFaults(world, [...ONE_OF_EACH]);
    const result = kernel.scheduler.run({ untilNs: milliseconds(20) });
    expect(result.reason).toBe("time-reached");
    expect(world.nodes.map((node) => node.state)).toEqual(["up", "up", "up"]);
    expect(world.net.partitions.hasPartitions()).toBe(false);
    // Each verb left its mark in the trace-driven marks.
    for (const mark of ["world.process-crash", "world.power-loss", "world.restart", "world.pause", "net.partition.total", "net.partition.isolate"]) {
      expect(kernel.marks.count(mark), mark).toBeGreaterThan(0);
    }
  });
});

describe("describeFault", () => {
  it("renders every verb kind on one line, with its time, verb and target", () => {
    expect(new Set(ONE_OF_EACH.map((fault) => fault.verb))).toEqual(new Set(EVERY_VERB));
    for (const fault of ONE_OF_EACH) {
      const line = describeFault(fault);
      expect(line, line).not.toMatch(/[\r\n]/);
      expect(line.startsWith(`${formatExactNs(fault.atNs)} ${fault.verb}`), line).toBe(true);
      expect(line, line).not.toContain("undefined");
      if ("node" in fault) expect(line, line).toContain(fault.node);
    }
  });

  it("renders the details a reader needs", () => {
    const render = (fault: TimedFault): string => describeFault(fault);
    expect(render({ atNs: 1_500_000, verb: "processCrash", node: "n1" })).toBe("1.5 ms processCrash n1");
    expect([0, 999, 1_500, 5_000_000_000, 2_500_000_000, 65_315_106].map(formatExactNs)).toEqual(["0 ns", "999 ns", "1.5 µs", "5 s", "2.5 s", "65.315106 ms"]);
    // Exact to the nanosecond, so a printed schedule replays exactly.
    expect(render({ atNs: 1_005_517_872, verb: "pause", node: "n1" })).toBe("1.005517872 s pause n1");
    expect(render({ atNs: 0, verb: "slowDisk", node: "n2", factor: 7 })).toBe("0 ns slowDisk n2 x7");
    expect(render({ atNs: 0, verb: "heal" })).toBe("0 ns heal all");
    expect(render({ atNs: 0, verb: "heal", name: "cut" })).toBe("0 ns heal cut");
    expect(render({ atNs: 0, verb: "healAll" })).toBe("0 ns healAll");
    expect(render({ atNs: 0, verb: "datagramFaults", faults: null })).toBe("0 ns datagramFaults null");
    expect(render({ atNs: 2_000_000_000, verb: "partition", name: "cut", spec: { kind: "isolate", nodes: ["n3"] } })).toBe(
      '2 s partition {"kind":"isolate","nodes":["n3"]} as cut',
    );
    expect(render({ atNs: 0, verb: "partition", spec: { kind: "one-way", from: ["n1"], to: ["n2"], classes: ["data"] } })).toBe(
      '0 ns partition {"kind":"one-way","from":["n1"],"to":["n2"],"classes":["data"]}',
    );
  });
});

/** Every node name and traffic class a partition spec mentions. */
function partitionNames(spec: PartitionSpec): { nodes: string[]; classes: string[] } {
  const classes = spec.classes ?? [];
  switch (spec.kind) {
    case "total":
      return { nodes: spec.groups.flat(), classes };
    case "one-way":
      return { nodes: [...spec.from, ...spec.to], classes };
    case "bridge":
      return { nodes: [...spec.sides[0], ...spec.sides[1], ...spec.bridge], classes };
    case "isolate":
      return { nodes: spec.nodes, classes };
  }
}

const optionsArbitrary: fc.Arbitrary<FaultScheduleOptions> = fc.record({
  nodeNames: fc.integer({ min: 1, max: 6 }).map((count) => Array.from({ length: count }, (_, index) => `n${index + 1}`)),
  horizonNs: fc.integer({ min: 1, max: 10_000_000_000 }),
  faultsMax: fc.integer({ min: 0, max: 25 }),
  verbs: fc.subarray([...EVERY_VERB], { minLength: 1 }),
  trafficClasses: fc.subarray(["data", "control", "client"]),
});

describe("faultScheduleArbitrary", () => {
  it("produces sorted schedules within the horizon, with only allowed verbs, valid node names and classes", () => {
    fc.assert(
      fc.property(
        optionsArbitrary.chain((options) => fc.tuple(fc.constant(options), faultScheduleArbitrary(options))),
        ([options, schedule]) => {
          expect(schedule.length).toBeLessThanOrEqual(options.faultsMax);
          for (let i = 1; i < schedule.length; i++) expect(schedule[i]!.atNs).toBeGreaterThanOrEqual(schedule[i - 1]!.atNs);
          for (const fault of schedule) {
            expect(Number.isSafeInteger(fault.atNs)).toBe(true);
            expect(fault.atNs).toBeGreaterThanOrEqual(0);
            expect(fault.atNs).toBeLessThan(Number(options.horizonNs));
            expect(options.verbs).toContain(fault.verb);
            if ("node" in fault) expect(options.nodeNames).toContain(fault.node);
            if (fault.verb === "partition") {
              const named = partitionNames(fault.spec);
              expect(named.nodes.length).toBeGreaterThan(0);
              for (const node of named.nodes) expect(options.nodeNames).toContain(node);
              for (const trafficClass of named.classes) expect(options.trafficClasses).toContain(trafficClass);
              if (fault.spec.classes !== undefined) expect(fault.spec.classes.length).toBeGreaterThan(0);
            }
            if (fault.verb === "slowDisk") expect(fault.factor).toBeGreaterThanOrEqual(1);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("draws only node and network verbs by default, and uses all of them", () => {
    const seen = new Set<FaultVerb>();
    fc.assert(
      fc.property(faultScheduleArbitrary({ nodeNames: NODE_NAMES, horizonNs: 1_000_000, faultsMax: 10 }), (schedule) => {
        for (const fault of schedule) {
          seen.add(fault.verb);
          expect(["processCrash", "powerLoss", "restart", "pause", "resume", "partition", "heal"]).toContain(fault.verb);
        }
      }),
      { numRuns: 200 },
    );
    expect([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(["heal", "partition", "pause", "powerLoss", "processCrash", "restart", "resume"]);
  });

  it("lets partitions name nodes that node verbs never touch (partitionNodeNames)", () => {
    let cutOff = 0;
    fc.assert(
      fc.property(faultScheduleArbitrary({ nodeNames: ["n1", "n2"], partitionNodeNames: ["n1", "n2", "ctl"], horizonNs: 1_000_000, faultsMax: 10 }), (schedule) => {
        for (const fault of schedule) {
          if ("node" in fault) expect(["n1", "n2"]).toContain(fault.node);
          if (fault.verb === "partition" && partitionNames(fault.spec).nodes.includes("ctl")) cutOff++;
        }
      }),
      { numRuns: 200 },
    );
    expect(cutOff).toBeGreaterThan(0);
  });

  it("puts about one fault in four within startWindowNs, and the rest anywhere in the horizon", () => {
    let early = 0;
    let total = 0;
    fc.assert(
      fc.property(faultScheduleArbitrary({ nodeNames: NODE_NAMES, horizonNs: 10_000_000_000, faultsMax: 10, startWindowNs: 200_000_000 }), (schedule) => {
        for (const fault of schedule) {
          total++;
          if (fault.atNs < 200_000_000) early++;
          expect(fault.atNs).toBeLessThan(10_000_000_000);
        }
      }),
      { numRuns: 400 },
    );
    // Uniform times alone would put 2% there.
    expect(early / total).toBeGreaterThan(0.15);
    expect(early / total).toBeLessThan(0.5);
  });

  it("produces partition specs that world.partition accepts, for any cluster size", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((count) =>
          fc.tuple(fc.constant(count), partitionArbitrary(Array.from({ length: count }, (_, index) => `n${index + 1}`), TRAFFIC_CLASSES)),
        ),
        ([count, spec]) => {
          const { world } = makeWorld(1, count);
          const name = world.partition(spec);
          expect(world.net.partitions.activeNames()).toEqual([name]);
          expect(world.heal(name)).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });
});

/**
 * Busy software for the generated-schedule runs: every node connects to the
 * others on two traffic classes, sends, logs what it receives and fsyncs
 * now and then, so faults hit live connections, timers and disk requests.
 */
class Chatter implements NodeSoftware {
  constructor(private readonly world: World) {}

  start(node: WorldNode): void {
    const world = this.world;
    const disk = world.disk(node.name);
    const log = disk.open<unknown>("inbox.log");
    const links = new Map<string, Endpoint | "connecting">();
    let ticks = 0;
    const onData = (_endpoint: Endpoint, payload: unknown, bytes: number): void => {
      if (disk.append(log, payload, bytes) === "ok" && log.recordCount % 4 === 0) disk.fsync(log, () => undefined, null);
    };
    world.net.listen(node, "app", { accept: () => ({ onData, onClose: () => undefined }) });
    world.net.bindDatagram(node, "gossip", { onDatagram: () => undefined });
    const tick = (): void => {
      ticks++;
      const others = world.nodes.filter((other) => other !== node);
      if (others.length > 0) {
        const peer = others[ticks % others.length]!;
        const trafficClass = TRAFFIC_CLASSES[ticks % TRAFFIC_CLASSES.length]!;
        const key = `${peer.name}/${trafficClass}`;
        const link = links.get(key);
        if (link === undefined) {
          links.set(key, "connecting");
          world.net.connect(node, peer, "app", trafficClass, {
            onOpen: (endpoint) => links.set(key, endpoint),
            onData: () => undefined,
            onClose: () => links.delete(key),
          });
        } else if (link !== "connecting") {
          link.send(ticks, 200 + (ticks % 7) * 100);
        }
        world.net.sendDatagram(node, peer, "gossip", "gossip", ticks, 64);
      }
      node.after(milliseconds(2), tick);
    };
    node.after(milliseconds(1), tick);
  }
}

describe("generated schedules against a live world", () => {
  const FAULT_HORIZON_NS = milliseconds(600);

  it("every generated schedule applies and runs without an exception, and healAll brings the world back", () => {
    const schedules = faultScheduleArbitrary({
      nodeNames: NODE_NAMES,
      horizonNs: FAULT_HORIZON_NS,
      faultsMax: 15,
      verbs: EVERY_VERB,
      trafficClasses: TRAFFIC_CLASSES,
    });
    const totals = new Map<string, number>();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), schedules, (seed, schedule) => {
        const { kernel, world } = makeWorld(seed);
        for (const node of world.nodes) world.install(node.name, new Chatter(world));
        scheduleFaults(world, schedule);
        world.boot();
        const faulted = kernel.scheduler.run({ untilNs: FAULT_HORIZON_NS + milliseconds(300) });
        expect(faulted.reason).toBe("time-reached");
        world.healAll();
        const healed = kernel.scheduler.run({ untilNs: kernel.now + milliseconds(300) });
        expect(healed.reason).toBe("time-reached");
        expect(world.nodes.map((node) => node.state)).toEqual(["up", "up", "up"]);
        expect(world.net.partitions.hasPartitions()).toBe(false);
        for (const node of world.nodes) world.disk(node.name).checkInvariants();
        for (const [name, count] of kernel.marks.entries()) totals.set(name, (totals.get(name) ?? 0) + count);
      }),
      { numRuns: 200 },
    );
    // The sweep really exercised what it claims to survive.
    for (const mark of ["world.process-crash", "world.power-loss", "world.restart", "world.pause", "net.partition.bridge", "net.partition.one-way", "net.tcp.retransmit", "net.connection.reset", "disk.full"]) {
      expect(totals.get(mark) ?? 0, mark).toBeGreaterThan(0);
    }
  });
});
