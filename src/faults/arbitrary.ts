/**
 * fast-check arbitraries for fault schedules, so properties can search the
 * space of crashes, power losses, pauses, partitions and disk faults, and
 * shrink a failing schedule to the few events that matter.
 */
import fc from "fast-check";
import { assert } from "../kernel/assert.js";
import { parseDurationNs } from "../scenario/units.js";
import type { PartitionSpec } from "../world/partition.js";
import type { Fault, FaultSchedule, FaultVerb, TimedFault } from "./fault.js";

export interface FaultScheduleOptions {
  nodeNames: readonly string[];
  /** Faults fall in [0, horizonNs): integer nanoseconds, or a duration as scenario files write it ("5s"). */
  horizonNs: number | string;
  faultsMax: number;
  /** Verbs to draw from (default: every node and network verb, no disk faults). */
  verbs?: readonly FaultVerb[];
  /** Traffic classes a partition may be scoped to; a partition is unscoped when empty. */
  trafficClasses?: readonly string[];
  /**
   * Nodes a partition may name (default: nodeNames). Wider than nodeNames
   * when some nodes are worth cutting off but not crashing: a Kafka
   * producer isolated together with some brokers, away from the controller,
   * is the schedule behind issue 19's lost writes.
   */
  partitionNodeNames?: readonly string[];
  /**
   * When set, one fault in four falls in [0, startWindowNs): a run's first
   * requests, first batches and first elections are a state of their own
   * (no replica has heard of the producer yet), which uniform times over a
   * long horizon almost never hit.
   */
  startWindowNs?: number;
}

const DEFAULT_VERBS: readonly FaultVerb[] = ["processCrash", "powerLoss", "restart", "pause", "resume", "partition", "heal"];

export function partitionArbitrary(nodeNames: readonly string[], trafficClasses: readonly string[] = []): fc.Arbitrary<PartitionSpec> {
  const names = [...nodeNames];
  const someNodes = fc.subarray(names, { minLength: 1, maxLength: Math.max(1, names.length - 1) });
  const classes = trafficClasses.length === 0 ? fc.constant(undefined) : fc.option(fc.subarray([...trafficClasses], { minLength: 1 }), { nil: undefined });
  const withClasses = (spec: PartitionSpec, scoped: string[] | undefined): PartitionSpec => (scoped === undefined ? spec : { ...spec, classes: scoped });
  return fc.oneof(
    fc.tuple(someNodes, classes).map(([nodes, scoped]) => withClasses({ kind: "isolate", nodes }, scoped)),
    fc.tuple(someNodes, classes).map(([side, scoped]) =>
      withClasses({ kind: "total", groups: [side, names.filter((name) => !side.includes(name))] }, scoped),
    ),
    fc.tuple(someNodes, someNodes, classes).map(([from, to, scoped]) => withClasses({ kind: "one-way", from, to }, scoped)),
    fc.tuple(fc.shuffledSubarray(names, { minLength: Math.min(3, names.length), maxLength: names.length }), classes).map(([picked, scoped]) => {
      const [bridge, ...rest] = picked;
      const half = Math.ceil(rest.length / 2);
      return withClasses({ kind: "bridge", sides: [rest.slice(0, half), rest.slice(half)], bridge: bridge === undefined ? [] : [bridge] }, scoped);
    }),
  );
}

function faultArbitrary(options: FaultScheduleOptions): fc.Arbitrary<Fault> {
  const node = fc.constantFrom(...options.nodeNames);
  const byVerb: Record<FaultVerb, fc.Arbitrary<Fault>> = {
    processCrash: node.map((name) => ({ verb: "processCrash", node: name })),
    powerLoss: node.map((name) => ({ verb: "powerLoss", node: name })),
    machineLoss: node.map((name) => ({ verb: "machineLoss", node: name })),
    shutdown: node.map((name) => ({ verb: "shutdown", node: name })),
    restart: node.map((name) => ({ verb: "restart", node: name })),
    pause: node.map((name) => ({ verb: "pause", node: name })),
    resume: node.map((name) => ({ verb: "resume", node: name })),
    partition: partitionArbitrary(options.partitionNodeNames ?? options.nodeNames, options.trafficClasses).map((spec) => ({ verb: "partition", spec })),
    heal: fc.constant({ verb: "heal" }),
    slowDisk: fc.tuple(node, fc.integer({ min: 2, max: 50 })).map(([name, factor]) => ({ verb: "slowDisk", node: name, factor })),
    fullDisk: node.map((name) => ({ verb: "fullDisk", node: name })),
    fsyncLies: node.map((name) => ({ verb: "fsyncLies", node: name })),
    tornWrites: node.map((name) => ({ verb: "tornWrites", node: name })),
    healDisk: node.map((name) => ({ verb: "healDisk", node: name })),
    datagramFaults: fc.constant({ verb: "datagramFaults", faults: null }),
    healAll: fc.constant({ verb: "healAll" }),
  };
  const verbs = options.verbs ?? DEFAULT_VERBS;
  return fc.oneof(...verbs.map((verb) => byVerb[verb]));
}

/** A schedule of at most `faultsMax` timed faults, sorted by time. Shrinks toward fewer, earlier faults. */
export function faultScheduleArbitrary(options: FaultScheduleOptions): fc.Arbitrary<FaultSchedule> {
  assert(options.nodeNames.length > 0, "faultScheduleArbitrary needs at least one node name");
  const horizonNs = typeof options.horizonNs === "string" ? parseDurationNs(options.horizonNs) : options.horizonNs;
  if (horizonNs === null) throw new Error(`faultScheduleArbitrary: horizonNs: expected a duration such as "5s", got ${JSON.stringify(options.horizonNs)}`);
  assert(Number.isSafeInteger(horizonNs) && horizonNs > 0, `horizonNs must be a positive integer, got ${horizonNs}`);
  assert(Number.isSafeInteger(options.faultsMax) && options.faultsMax >= 0, `faultsMax must be a non-negative integer, got ${options.faultsMax}`);
  const anyTime = fc.integer({ min: 0, max: horizonNs - 1 });
  const start = options.startWindowNs;
  assert(start === undefined || (Number.isSafeInteger(start) && start > 0 && start <= horizonNs), `startWindowNs must be a positive integer within the horizon, got ${start}`);
  const atNs = start === undefined ? anyTime : fc.oneof({ weight: 3, arbitrary: anyTime }, { weight: 1, arbitrary: fc.integer({ min: 0, max: start - 1 }) });
  const timed = fc
    .tuple(atNs, faultArbitrary(options))
    .map(([atNs, fault]): TimedFault => ({ ...fault, atNs }));
  return fc.array(timed, { maxLength: options.faultsMax }).map((faults) => [...faults].sort((a, b) => a.atNs - b.atNs));
}
