/**
 * The pieces every system's branch of the scenario schema shares: values
 * with units ("10ms", "1KiB", "10Gbps", "5k/s"), names, distributions, the
 * fault schedule, the machines a cluster runs on (disk, NIC, latency), the
 * seed, budgets and the sweep block; and the helpers of the cross-field
 * rules (a bounded issue reporter, the nodes a partition names, the checks
 * every fault schedule must pass).
 */
import { z } from "zod";
import { MESSAGE_BYTES_MAX } from "../clients/message-size.js";
import { closest } from "./issue-messages.js";
import { formatDurationNs, parseBandwidthBytesPerSec, parseDurationNs, parseRatePerSec, parseSizeBytes, UNIT_VALUE_MAX } from "./units.js";

/** The longest text a value with a unit may be ("1.5GiB" needs a handful of characters). */
const UNIT_TEXT_MAX_CHARS = 64;

/**
 * A value written with a unit; a plain number is taken in the base unit where
 * that is unambiguous (`number.baseUnit`, e.g. "of bytes"), rounded to an
 * integer when the base unit is integral. Where a plain number would be
 * ambiguous (a duration), only 0 may be written without a unit, as YAML reads
 * `at: 0` as a number. Every failure (wrong type, too long, no unit, negative,
 * too large) reads "expected <what> such as <example>…".
 */
function withUnit(what: string, example: string, parse: (text: string) => number | null, number: { baseUnit: string; integral: boolean } | "zero" | null) {
  const expected = `expected ${what} such as ${JSON.stringify(example)}${typeof number === "object" && number !== null ? ` or a number ${number.baseUnit}` : ""}`;
  const input = number !== null ? z.union([z.string(), z.number()], { error: expected }) : z.string({ error: expected });
  return input.transform((value, ctx) => {
    let parsed: number | null;
    if (typeof value === "number") {
      if (number === "zero" || number === null) parsed = value === 0 ? 0 : null;
      else {
        const rounded = number.integral ? Math.round(value) : value;
        parsed = Number.isFinite(rounded) && rounded >= 0 && rounded <= UNIT_VALUE_MAX ? rounded : null;
      }
    } else {
      parsed = value.length <= UNIT_TEXT_MAX_CHARS ? parse(value) : null;
    }
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: `${expected}${unitHint(value, typeof number === "object" && number !== null)}`, input: value });
      return z.NEVER;
    }
    // -0 (from "-0" in YAML or JSON) is 0.
    return parsed + 0;
  });
}

/** Why a value with a unit was refused, when that is not plain from the example. */
function unitHint(value: string | number, numbersAllowed: boolean): string {
  if (typeof value === "number") {
    if (!numbersAllowed) return " (with its unit: a plain number other than 0 is ambiguous)";
    if (!Number.isFinite(value)) return " (a finite number)";
    return value < 0 ? " (not negative)" : ` (at most ${UNIT_VALUE_MAX})`;
  }
  if (value.length > UNIT_TEXT_MAX_CHARS) return ` (at most ${UNIT_TEXT_MAX_CHARS} characters)`;
  if (value.trim().startsWith("-")) return " (not negative)";
  return "";
}

/** Integer nanoseconds. */
export const durationSchema = withUnit("a duration", "250ms", parseDurationNs, "zero");
/** Bytes. */
export const sizeSchema = withUnit("a size", "1KiB", parseSizeBytes, { baseUnit: "of bytes", integral: true });
/** Bytes per second. */
export const bandwidthSchema = withUnit("a bandwidth", "10Gbps", parseBandwidthBytesPerSec, null);
/** Per second. */
export const rateSchema = withUnit("a rate", "5k/s", parseRatePerSec, { baseUnit: "per second", integral: false });

/** The longest one-way latency between two nodes a scenario may ask for (a satellite hop is ~0.3 s). */
export const LATENCY_NS_MAX = 60_000_000_000;

/** A refinement that refuses values outside a rule, saying what was expected and giving the value as written. */
function refuseUnless<T>(isOk: (value: T) => boolean, expected: (value: T) => string, written: (value: T) => string) {
  return (value: T, ctx: z.RefinementCtx): void => {
    if (!isOk(value)) ctx.addIssue({ code: "custom", message: expected(value), input: written(value) });
  };
}

const writtenRate = (perSecond: number): string => `${perSecond}/s`;

/** A rate that must be above 0 (a capacity: 0 would never serve anything). */
export const positiveRateSchema = rateSchema.superRefine(refuseUnless((perSecond: number) => perSecond > 0, () => 'expected a rate above 0 such as "5k/s"', writtenRate));

/** One-way latency between two nodes: 0 (no propagation delay) up to LATENCY_NS_MAX. */
export const latencySchema = durationSchema.superRefine(
  refuseUnless((ns: number) => ns <= LATENCY_NS_MAX, (ns) => `expected a latency of at most ${formatDurationNs(LATENCY_NS_MAX)}, got ${formatDurationNs(ns)}`, formatDurationNs),
);

/** A NIC's bandwidth: at least one byte per second, or nothing would ever leave the node. */
export const nicSchema = withUnit(
  "a bandwidth of at least 8bps (one byte per second)",
  "10Gbps",
  (text) => {
    const bytesPerSec = parseBandwidthBytesPerSec(text);
    return bytesPerSec !== null && bytesPerSec >= 1 ? bytesPerSec : null;
  },
  null,
);

/** A message's size: up to MESSAGE_BYTES_MAX. */
export const messageSizeSchema = sizeSchema.superRefine(
  refuseUnless((bytes: number) => bytes <= MESSAGE_BYTES_MAX, (bytes) => `expected a message size of at most 1GiB, got ${bytes} bytes`, (bytes) => `${bytes}`),
);

export const nameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "expected a name of letters, digits, '.', '_' or '-' (at most 64)");

/**
 * A distribution of a quantity in `unit` (a duration or a size): one value,
 * or a shape. Shapes the samplers cannot draw from are refused here, at the
 * field: a uniform whose min is above its max, a lognormal of median 0
 * (always 0: write 0).
 */
export function distributionOf(unit: typeof durationSchema | typeof sizeSchema, example: string) {
  const error = `expected a value such as ${JSON.stringify(example)}, or { kind: constant | uniform | exponential | lognormal | normal, … }`;
  return z
    .union(
      [
      unit.transform((value) => ({ kind: "constant" as const, value })),
      z.strictObject({ kind: z.literal("constant"), value: unit }),
      z.strictObject({ kind: z.literal("uniform"), min: unit, max: unit }),
      z.strictObject({ kind: z.literal("exponential"), mean: unit }),
      z.strictObject({ kind: z.literal("lognormal"), median: unit, sigma: z.number().min(0).max(5) }),
      z.strictObject({ kind: z.literal("normal"), mean: unit, stddev: unit }),
      ],
      { error },
    )
    .superRefine((shape, ctx) => {
      if (shape.kind === "uniform" && shape.min > shape.max) {
        ctx.addIssue({ code: "custom", path: ["max"], message: `expected max at least min (${shape.min}), got ${shape.max}`, input: shape.max });
      }
      if (shape.kind === "lognormal" && shape.median <= 0) {
        ctx.addIssue({ code: "custom", path: ["median"], message: "expected a median above 0 (a lognormal of median 0 is always 0: write 0 instead)", input: shape.median });
      }
    });
}

/** Message sizes as a distribution, capped at MESSAGE_BYTES_MAX where it is written (draws are cut there too). */
export const messageSizeDistributionSchema = distributionOf(sizeSchema, "1KiB").superRefine((shape, ctx) => {
  const scale = distributionScale(shape);
  if (scale > MESSAGE_BYTES_MAX) ctx.addIssue({ code: "custom", message: `expected message sizes of at most 1GiB, got ${scale} bytes`, input: scale });
});

/** A message size shape, as the schema reads it. */
export type MessageSizeDistribution = z.output<typeof messageSizeDistributionSchema>;

/** The largest value a distribution is written with (its constant, max, mean or median), for caps on the field. */
export function distributionScale(shape: z.output<ReturnType<typeof distributionOf>>): number {
  switch (shape.kind) {
    case "constant":
      return shape.value;
    case "uniform":
      return shape.max;
    case "exponential":
    case "normal":
      return shape.mean;
    case "lognormal":
      return shape.median;
  }
}

export const partitionSpecSchema = z.discriminatedUnion(
  "kind",
  [
  z.strictObject({ kind: z.literal("total"), groups: z.array(z.array(nameSchema).min(1).max(200)).min(2).max(20), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("one-way"), from: z.array(nameSchema).min(1).max(200), to: z.array(nameSchema).min(1).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("isolate"), nodes: z.array(nameSchema).min(1).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  z.strictObject({ kind: z.literal("bridge"), sides: z.tuple([z.array(nameSchema).min(1), z.array(nameSchema).min(1)]), bridge: z.array(nameSchema).max(200), classes: z.array(z.string().max(64)).max(10).optional() }),
  ],
  { error: "expected a partition { kind: total, groups } | { kind: one-way, from, to } | { kind: isolate, nodes } | { kind: bridge, sides, bridge }" },
);

export const faultSchema = z.discriminatedUnion(
  "verb",
  [
  z.strictObject({ at: durationSchema, verb: z.enum(["processCrash", "shutdown", "powerLoss", "machineLoss", "restart", "pause", "resume", "fullDisk", "fsyncLies", "tornWrites", "healDisk"]), node: nameSchema }),
  z.strictObject({ at: durationSchema, verb: z.literal("slowDisk"), node: nameSchema, factor: z.number().min(1).max(10_000) }),
  z.strictObject({ at: durationSchema, verb: z.literal("partition"), name: nameSchema.optional(), spec: partitionSpecSchema }),
  z.strictObject({ at: durationSchema, verb: z.literal("heal"), name: nameSchema.optional() }),
  z.strictObject({ at: durationSchema, verb: z.literal("healAll") }),
  ],
  { error: "expected a fault { at, verb, … }: verb processCrash | shutdown | powerLoss | machineLoss | restart | pause | resume | fullDisk | fsyncLies | tornWrites | healDisk (with node), slowDisk (with node, factor), partition (with spec), heal (with name), healAll" },
);

export type ScenarioFault = z.output<typeof faultSchema>;

/** The machines a cluster runs on, whatever the system: each node's disk and NIC, and the network's latency. */
export const machineFields = {
  disk: z.enum(["hdd", "sata-ssd", "nvme", "nvme-plp"]).default("nvme"),
  nic: nicSchema.default(1_250_000_000),
  /** Median one-way latency between two nodes. */
  latency: latencySchema.default(150_000),
};

/**
 * The heap a run may fill by default: 1 GiB retained (about 7 million history
 * records), which peaks near 2 GiB with the garbage collector's room, within
 * Node's default heap on a laptop with 8 GB of memory (about 2 GB).
 */
export const MAX_MEMORY_DEFAULT_BYTES = 1_073_741_824;
/** The least memory budget: a run's baseline alone is tens of megabytes. */
const MAX_MEMORY_MIN_BYTES = 128 * 1_048_576;

export const budgetsSchema = z.strictObject({
  maxEvents: z.int().min(1_000).max(10_000_000_000).default(200_000_000),
  /** How long after the workload ends the cluster may take to converge and consumers to drain. */
  convergeWithin: durationSchema.default(120_000_000_000),
  /** The heap the run's history and state may fill; a run estimated past it is refused, and a run that reaches it stops. */
  maxMemory: sizeSchema
    .superRefine(refuseUnless((bytes: number) => bytes >= MAX_MEMORY_MIN_BYTES, () => 'expected a memory budget of at least 128MiB, such as "1GiB"', (bytes) => `${bytes}`))
    .default(MAX_MEMORY_DEFAULT_BYTES),
});

export const BUDGETS_DEFAULT = { maxEvents: 200_000_000, convergeWithin: 120_000_000_000, maxMemory: MAX_MEMORY_DEFAULT_BYTES };

export const seedSchema = z
  .union([z.int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(200)], { error: `expected a seed: an integer from 0 to ${Number.MAX_SAFE_INTEGER}, or a string of 1 to 200 characters` })
  .default(1);

export const descriptionSchema = z.string().max(10_000).default("");

const sweepValueSchema = z.union([z.number(), z.string().max(256), z.boolean()], { error: "expected a number, a string (at most 256 characters) or true/false" });

/**
 * Parameter path → values. zod drops a "__proto__" key from a record without
 * a word (assigning it would replace the prototype), so it is refused here
 * rather than lost.
 */
export const sweepSchema = z.preprocess(
  (input, ctx) => {
    if (input !== null && typeof input === "object" && Object.prototype.hasOwnProperty.call(input, "__proto__")) {
      ctx.addIssue({ code: "custom", path: ["__proto__"], message: 'expected a parameter path such as "cluster.brokers"', input: "__proto__" });
    }
    return input;
  },
  z.record(z.string().min(1).max(200, "expected a parameter path of at most 200 characters"), z.array(sweepValueSchema).min(1).max(1_000)),
);

/**
 * Problems the cross-field rules report at most: a hostile document (10 000
 * partition faults naming unknown nodes) must not make hundreds of thousands.
 */
const CROSS_FIELD_ISSUES_MAX = 1_000;

export type IssueAt = (path: (string | number)[], message: string, input: unknown) => void;

/** Reports a cross-field problem at a path, at most CROSS_FIELD_ISSUES_MAX of them. */
export function issueReporter(ctx: z.RefinementCtx): IssueAt {
  let issues = 0;
  return (path, message, input) => {
    issues += 1;
    if (issues <= CROSS_FIELD_ISSUES_MAX) ctx.addIssue({ code: "custom", path, message, input });
  };
}

/** Names for a message: all of a short list, the first few of a long one. */
export function someOf(names: Iterable<string>): string {
  const all = [...names];
  return all.length <= 16 ? all.join(", ") : `${all.slice(0, 16).join(", ")}, … (${all.length} in all)`;
}

/** Client node names of `count` identical clients: `base`, or base-1, base-2, … */
export function clientNames(base: string, count: number): string[] {
  return count === 1 ? [base] : Array.from({ length: count }, (_, n) => `${base}-${n + 1}`);
}

/**
 * Every fault happens within the workload, names nodes that exist, and
 * scopes partitions to traffic classes the system has: a misspelt class
 * would cut nothing, without a word.
 */
export function checkFaults(faults: readonly ScenarioFault[], durationNs: number, nodes: ReadonlySet<string>, trafficClasses: readonly string[], issue: IssueAt): void {
  const duration = formatDurationNs(durationNs);
  const nodeList = someOf(nodes);
  faults.forEach((fault, k) => {
    if (fault.at >= durationNs) issue(["faults", k, "at"], `expected a time before the end of \`duration\` (${duration}; everything heals then), got ${formatDurationNs(fault.at)}`, formatDurationNs(fault.at));
    const named: [(string | number)[], string][] = "node" in fault ? [[["node"], fault.node]] : fault.verb === "partition" ? partitionNodes(fault.spec) : [];
    for (const [path, name] of named) if (!nodes.has(name)) issue(["faults", k, ...path], `expected a node name among ${nodeList}, got "${name}"`, name);
    if (fault.verb === "partition") {
      fault.spec.classes?.forEach((name, n) => {
        if (trafficClasses.includes(name)) return;
        const suggestion = closest(name, trafficClasses);
        issue(["faults", k, "spec", "classes", n], `expected a traffic class of this system (${trafficClasses.join(", ")}), got "${name}"${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`, name);
      });
    }
  });
}

/** The nodes a partition names, each with its path under the fault. */
function partitionNodes(spec: z.output<typeof partitionSpecSchema>): [(string | number)[], string][] {
  const under = (field: string, names: readonly string[]): [(string | number)[], string][] => names.map((name, n) => [["spec", field, n], name]);
  switch (spec.kind) {
    case "total":
      return spec.groups.flatMap((group, g) => group.map((name, n): [(string | number)[], string] => [["spec", "groups", g, n], name]));
    case "one-way":
      return [...under("from", spec.from), ...under("to", spec.to)];
    case "isolate":
      return under("nodes", spec.nodes);
    case "bridge":
      return [...spec.sides.flatMap((side, s) => side.map((name, n): [(string | number)[], string] => [["spec", "sides", s, n], name])), ...under("bridge", spec.bridge)];
  }
}

/** A client application's entries and the node names each runs on (an entry with count n runs on n nodes). */
export interface ClientApplications {
  /** The scenario's field: "producers", "publishers", "consumers". */
  key: string;
  declared: readonly { name?: string | undefined }[];
  names: readonly (readonly string[])[];
}

/**
 * Client node names must be unique and unlike the servers' (`nodes` holds
 * the servers' names and collects the clients'); a clash is reported at the
 * entry's `name`, or at the entry when its name is the default.
 */
export function checkClientNodeNames(nodes: Set<string>, applications: readonly ClientApplications[], serversText: string, issue: IssueAt): void {
  for (const application of applications) {
    application.names.forEach((names, k) => {
      const entry = application.declared[k]!;
      const path = entry.name === undefined ? [application.key, k] : [application.key, k, "name"];
      for (const name of names) {
        if (nodes.has(name)) issue(path, `expected client node names unique and unlike ${serversText}, but "${name}" is taken`, entry.name ?? name);
        nodes.add(name);
      }
    });
  }
}
