/**
 * Bad scenario input is rejected before anything runs, clearly, and the
 * loader never throws. Properties over thousands of documents:
 *
 *  (a) valid scenarios mutated: a random path (existing or new) set to a
 *      hostile value, required keys deleted, and targeted breakage (RF >
 *      brokers, 0 brokers, faults naming unknown nodes, consumers on unknown
 *      topics…), written as JSON or YAML;
 *  (b) documents with no scenario in them at all: fc.anything(), fc.json(),
 *      YAML-ish fragments, random bytes, alias bombs, deep nesting;
 *  (c) generated valid scenarios, which must load (the loader must not
 *      simply refuse everything).
 *
 * Every refusal lists problems with a path, a one-line message saying what
 * was expected, and a short "given"; every acceptance satisfies the
 * cross-field invariants the simulator relies on.
 */
import fc from "fast-check";
import { afterAll, describe, expect, it, vi } from "vitest";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { CHECKER_NAMES } from "../src/checks/violation.js";
import { loadScenarioText, SCENARIO_NESTING_MAX, SCENARIO_VALUES_MAX, validateScenario, type ScenarioLoad } from "../src/scenario/load.js";
import { FAILOVER_SCENARIO, MINIMAL_SCENARIO_YAML, SWEEP_SCENARIO_YAML } from "../src/scenario/scenario-fixtures.js";
import type { Scenario } from "../src/scenario/schema.js";
import { brokerNodeNames, consumerNodeNames, producerNodeNames } from "../src/systems/kafka/scenario-schema.js";
import { parseDurationNs, parseSizeBytes } from "../src/scenario/units.js";

type Json = Record<string, unknown>;
type PathKey = string | number;

const BASES: readonly Json[] = [parseYaml(MINIMAL_SCENARIO_YAML) as Json, FAILOVER_SCENARIO, parseYaml(SWEEP_SCENARIO_YAML) as Json];

/** Documents loaded per property, refusals, and the slowest load: printed at the end for the record. */
const tally = new Map<string, { documents: number; refused: number; slowestMs: number; totalMs: number }>();
let currentProperty = "";

function load(text: string): ScenarioLoad {
  const started = performance.now();
  const result = loadScenarioText(text);
  record(result, performance.now() - started);
  return result;
}

function record(result: ScenarioLoad, ms: number): void {
  const entry = tally.get(currentProperty) ?? { documents: 0, refused: 0, slowestMs: 0, totalMs: 0 };
  entry.documents += 1;
  entry.totalMs += ms;
  if (!result.ok) entry.refused += 1;
  entry.slowestMs = Math.max(entry.slowestMs, ms);
  tally.set(currentProperty, entry);
}

afterAll(() => {
  const lines = [...tally].map(([name, entry]) => `  ${name}: ${entry.documents} documents, ${entry.refused} refused, slowest ${entry.slowestMs.toFixed(1)} ms, ${entry.totalMs.toFixed(0)} ms loading in all`);
  const total = [...tally.values()].reduce((sum, entry) => sum + entry.documents, 0);
  console.info(`scenario loader properties: ${total} documents\n${lines.join("\n")}`);
});

// ---------------------------------------------------------------------------
// What every answer must look like

/** `a.b[0]["linger.ms"]` or "" (the document). */
const PATH_SYNTAX = /^(?:[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])?(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])*$/;

/** A refusal is clear: problems, each with a path, a one-line message saying what was expected, a short "given". */
function expectClear(result: ScenarioLoad, context: string): void {
  if (result.ok) return;
  expect(result.problems.length, context).toBeGreaterThan(0);
  for (const problem of result.problems) {
    const where = `${context}\nproblem: ${JSON.stringify(problem)}`;
    expect(typeof problem.path, where).toBe("string");
    expect(problem.path, where).toMatch(PATH_SYNTAX);
    expect(typeof problem.message, where).toBe("string");
    expect(problem.message.length, where).toBeGreaterThan(0);
    expect(problem.message, where).toMatch(/expected|^unknown key/);
    expect(problem.message, where).not.toMatch(/\n|^Invalid input|^Too (small|big)|\bat .+:\d+:\d+\)?$/);
    if (problem.given !== undefined) {
      expect(typeof problem.given, where).toBe("string");
      expect(problem.given.length, where).toBeLessThanOrEqual(80);
    }
  }
}

/** An accepted scenario keeps every rule the simulator relies on. */
function expectInvariants(scenario: Scenario, context: string): void {
  // Every base document is a Kafka scenario; no mutation makes a valid RabbitMQ one.
  if (scenario.system !== "kafka") throw new Error(`${context}\nexpected a kafka scenario, got ${scenario.system}`);
  const brokers = scenario.cluster.brokers;
  expect(Number.isInteger(brokers) && brokers >= 1 && brokers <= 64, `${context}\nbrokers ${brokers}`).toBe(true);
  const topics = new Set(scenario.topics.map((topic) => topic.name));
  expect(topics.size, context).toBe(scenario.topics.length);
  for (const topic of scenario.topics) {
    expect(topic.replicationFactor, context).toBeLessThanOrEqual(brokers);
    expect(topic.replicationFactor, context).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(topic.partitions) && topic.partitions >= 1, context).toBe(true);
  }
  const minIsr = scenario.config["min.insync.replicas"];
  if (minIsr !== undefined) for (const topic of scenario.topics) expect(minIsr, context).toBeLessThanOrEqual(topic.replicationFactor);
  if (scenario.cluster.racks !== undefined) expect(scenario.cluster.racks, context).toHaveLength(brokers);
  expect(Number.isSafeInteger(scenario.duration) && scenario.duration >= 0, context).toBe(true);
  for (const producer of scenario.producers) expect(topics.has(producer.topic), context).toBe(true);
  const services = new Set(scenario.services.map((service) => service.name));
  for (const group of scenario.consumers) {
    for (const topic of group.topics) expect(topics.has(topic), context).toBe(true);
    for (const call of group.calls) expect(services.has(call), context).toBe(true);
    expect(group.startAt, context).toBeLessThan(scenario.duration);
  }
  const clients = [...producerNodeNames(scenario).flat(), ...consumerNodeNames(scenario).flat()];
  const nodes = new Set([...brokerNodeNames(scenario), "controller", ...clients]);
  expect(nodes.size, `${context}\nnode names must be unique`).toBe(brokers + 1 + clients.length);
  for (const fault of scenario.faults) {
    expect(fault.at, context).toBeLessThan(scenario.duration);
    if ("node" in fault) expect(nodes.has(fault.node), `${context}\nfault node ${fault.node}`).toBe(true);
  }
  // Every number the simulator will read is finite.
  const stack: unknown[] = [scenario];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === "number") expect(Number.isFinite(value), `${context}\nnon-finite number in the scenario`).toBe(true);
    else if (value !== null && typeof value === "object") stack.push(...Object.values(value));
  }
}

function check(text: string, context: string): ScenarioLoad {
  const result = load(text);
  expectClear(result, context);
  if (result.ok) expectInvariants(result.scenario, context);
  return result;
}

// ---------------------------------------------------------------------------
// Serialisation

type Format = "json" | "json-pretty" | "yaml" | "yaml-flow";
const formatArbitrary = fc.constantFrom<Format>("json", "json-pretty", "yaml", "yaml-flow");

/** The document as text, or undefined when it cannot be written in that format (e.g. a top-level undefined). */
function serialise(document: unknown, format: Format): string | undefined {
  switch (format) {
    case "json":
      return JSON.stringify(document);
    case "json-pretty":
      return JSON.stringify(document, null, 2);
    case "yaml":
      return stringifyYaml(document);
    case "yaml-flow":
      return stringifyYaml(document, { collectionStyle: "flow" });
  }
}

// ---------------------------------------------------------------------------
// (a) Mutations of valid scenarios

/** Every path in a document: containers and leaves. */
function pathsOf(document: unknown): PathKey[][] {
  const out: PathKey[][] = [];
  const walk = (value: unknown, path: PathKey[]): void => {
    out.push(path);
    if (Array.isArray(value)) value.forEach((item, n) => walk(item, [...path, n]));
    else if (value !== null && typeof value === "object") for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(document, []);
  return out;
}

function setAt(document: Json, path: readonly PathKey[], value: unknown): void {
  if (path.length === 0) return;
  let node: any = document;
  for (let k = 0; k < path.length - 1; k += 1) {
    const key = path[k]!;
    if (node[key] === null || typeof node[key] !== "object") node[key] = typeof path[k + 1] === "number" ? [] : {};
    node = node[key];
  }
  // defineProperty, so "__proto__" becomes a key rather than the prototype.
  Object.defineProperty(node, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
}

function deleteAt(document: Json, path: readonly PathKey[]): void {
  let node: any = document;
  for (const key of path.slice(0, -1)) {
    node = node?.[key];
    if (node === null || typeof node !== "object") return;
  }
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
  else delete node[last];
}

/** Text that looks like a value with a unit, or nearly. */
const unitishArbitrary = fc.stringMatching(/^-?[0-9]{0,22}(\.[0-9]{0,5})?(e-?[0-9]{1,4})? ?[kKM]?(ns|us|µs|ms|s|min|m|h|d|B|KB|MiB|GiB|bps|Gbps|MB\/s|\/s|\/min|parsecs)?$/);

const hostileNumberArbitrary = fc.oneof(
  fc.constantFrom(-1, -0, 0, 0.5, 1, 3, 64, 65, 1e308, -1e308, 2 ** 53 + 1, 2 ** 53, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 10_001, 1e21, 2_147_483_648),
  fc.integer(),
  fc.double(),
);

const hostileStringArbitrary = fc.oneof(
  fc.constantFrom(
    "", " ", "10 parsecs", "-5ms", "1e9999s", "5k/s", "10Gbps", "1KiB", "250ms", "NaN", "null", "true", "kafka", "rabbitmq", "b1", "b99", "controller", "orders", "nope", "all",
    "0", "-0", "~", "*a", "&a", "!!binary", "\u0000", "\ud800", "💥", "a b", "x".repeat(65), "x".repeat(257), "x".repeat(10_001), "__proto__", "constructor", "toString",
  ),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 10 }),
  unitishArbitrary,
);

/** Arrays or objects nested `depth` deep (the loader refuses past SCENARIO_NESTING_MAX). */
function nested(depth: number, asObject: boolean): unknown {
  let value: unknown = 1;
  for (let k = 0; k < depth; k += 1) value = asObject ? { a: value } : [value];
  return value;
}

const hostileValueArbitrary: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileNumberArbitrary },
  { weight: 4, arbitrary: hostileStringArbitrary },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false) },
  { weight: 1, arbitrary: fc.constant(null).map(() => []) },
  { weight: 1, arbitrary: fc.constant(null).map(() => ({})) },
  { weight: 1, arbitrary: fc.array(fc.oneof(hostileNumberArbitrary, hostileStringArbitrary), { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.oneof(hostileStringArbitrary, fc.constantFrom("kind", "name", "rate", "at", "verb", "node")), fc.oneof(hostileNumberArbitrary, hostileStringArbitrary), { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 90 }), fc.boolean()).map(([depth, asObject]) => nested(depth, asObject)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A key that does not exist: typos, prototype names, odd characters. */
const newKeyArbitrary = fc.oneof(
  fc.constantFrom("brokrs", "topic", "replicationfactor", "lingr.ms", "acks ", "Kind", "__proto__", "constructor", "prototype", "hasOwnProperty", "", " ", "a.b", "0", "💥", "x".repeat(300)),
  fc.string({ maxLength: 12 }),
);

type Mutation = { describe: string; apply: (document: Json) => void };

function mutationArbitrary(base: Json): fc.Arbitrary<Mutation> {
  const paths = pathsOf(base).filter((path) => path.length > 0);
  const containers = pathsOf(base).filter((path) => {
    let node: any = base;
    for (const key of path) node = node[key];
    return node !== null && typeof node === "object" && !Array.isArray(node);
  });
  return fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...paths), hostileValueArbitrary).map(([path, value]): Mutation => ({ describe: `set ${JSON.stringify(path)} = ${safeText(value)}`, apply: (doc) => setAt(doc, path, structuredClone(value)) })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...containers), newKeyArbitrary, hostileValueArbitrary).map(([path, key, value]): Mutation => ({ describe: `add ${JSON.stringify([...path, key])} = ${safeText(value)}`, apply: (doc) => setAt(doc, [...path, key], structuredClone(value)) })) },
    { weight: 2, arbitrary: fc.constantFrom(...paths).map((path): Mutation => ({ describe: `delete ${JSON.stringify(path)}`, apply: (doc) => deleteAt(doc, path) })) },
  );
}

function safeText(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

const mutatedArbitrary = fc
  .integer({ min: 0, max: BASES.length - 1 })
  .chain((index) => fc.tuple(fc.constant(index), fc.array(mutationArbitrary(BASES[index]!), { minLength: 1, maxLength: 4 }), formatArbitrary));

/** Breakage with a known place: the problem must be reported exactly there. */
type Targeted = { describe: string; apply: (document: any) => void; path: string };

const targetedArbitrary: fc.Arbitrary<Targeted> = fc.oneof(
  fc.integer({ min: 1, max: 70 }).map((extra): Targeted => ({ describe: `replicationFactor = brokers + ${extra}`, apply: (doc) => (doc.topics[0].replicationFactor = doc.cluster.brokers + extra), path: "topics[0].replicationFactor" })),
  fc.constantFrom(0, -1, -0, 0.5, 65, 1e308, 2 ** 53 + 1, "3", null).map((brokers): Targeted => ({ describe: `brokers = ${String(brokers)}`, apply: (doc) => (doc.cluster.brokers = brokers), path: "cluster.brokers" })),
  fc.tuple(fc.constantFrom("processCrash", "powerLoss", "restart", "pause", "resume", "fullDisk", "healDisk"), fc.constantFrom("b0", "b65", "zz", "B1", "controller2", "p9")).map(([verb, node]): Targeted => ({
    describe: `fault ${verb} on unknown node ${node}`,
    apply: (doc) => {
      doc.faults = [...(doc.faults ?? []), { at: "1s", verb, node }];
    },
    path: "faults[$last].node",
  })),
  fc.constantFrom("ordrs", "Orders", "unknown-topic").map((topic): Targeted => ({
    describe: `consumer group on unknown topic ${topic}`,
    apply: (doc) => {
      doc.consumers = [...(doc.consumers ?? []), { group: "lost-group", topics: [topic] }];
    },
    path: "consumers[$last].topics[0]",
  })),
  fc.constantFrom("system", "duration", "cluster", "topics").map((key): Targeted => ({ describe: `delete ${key}`, apply: (doc) => delete doc[key], path: key })),
  fc.constantFrom("brokers").map((key): Targeted => ({ describe: `delete cluster.${key}`, apply: (doc) => delete doc.cluster[key], path: `cluster.${key}` })),
  fc.constantFrom("name", "partitions", "replicationFactor").map((key): Targeted => ({ describe: `delete topics[0].${key}`, apply: (doc) => delete doc.topics[0][key], path: `topics[0].${key}` })),
  fc.constantFrom("10 parsecs", "-5ms", "1e9999s", "", "5", "ms", "99999999999999999999d").map((duration): Targeted => ({ describe: `duration ${duration}`, apply: (doc) => (doc.duration = duration), path: "duration" })),
  newKeyArbitrary.filter((key) => !["system", "name", "description", "seed", "duration", "cluster", "config", "topics", "producers", "consumers", "services", "faults", "checks", "budgets", "sweep"].includes(key)).map((key): Targeted => ({
    describe: `unknown top-level key ${JSON.stringify(key)}`,
    apply: (doc) => Object.defineProperty(doc, key, { value: 1, enumerable: true, writable: true, configurable: true }),
    path: `$key:${key}`,
  })),
);

describe("(a) valid scenarios, mutated", () => {
  it("the base scenarios load", () => {
    currentProperty = "base documents";
    for (const base of BASES) {
      for (const format of ["json", "json-pretty", "yaml", "yaml-flow"] as const) {
        const result = check(serialise(base, format)!, `base ${String(base["name"])} as ${format}`);
        expect(result.ok, result.ok ? "" : JSON.stringify(result.problems)).toBe(true);
      }
    }
  });

  it("never throw; refusals are clear; what loads keeps the invariants", () => {
    currentProperty = "(a) random mutations";
    let accepted = 0;
    fc.assert(
      fc.property(mutatedArbitrary, ([index, mutations, format]) => {
        const document = structuredClone(BASES[index]!);
        for (const mutation of mutations) mutation.apply(document);
        const text = serialise(document, format);
        if (text === undefined) return;
        const result = check(text, `base ${index}, ${format}: ${mutations.map((mutation) => mutation.describe).join("; ")}`);
        if (result.ok) accepted += 1;
      }),
      { numRuns: 800 },
    );
    // Some mutations are harmless (a description that is still a string, a deleted optional key).
    expect(accepted).toBeGreaterThan(0);
  });

  it("targeted breakage is reported at its exact path, with what was given", () => {
    currentProperty = "(a) targeted breakage";
    fc.assert(
      fc.property(fc.integer({ min: 0, max: BASES.length - 1 }), targetedArbitrary, formatArbitrary, (index, targeted, format) => {
        const document: any = structuredClone(BASES[index]!);
        targeted.apply(document);
        const context = `base ${index}, ${format}: ${targeted.describe}`;
        const result = check(serialise(document, format)!, context);
        expect(result.ok, context).toBe(false);
        if (result.ok) return;
        let path = targeted.path.replace("faults[$last]", `faults[${(document.faults?.length ?? 1) - 1}]`).replace("consumers[$last]", `consumers[${(document.consumers?.length ?? 1) - 1}]`);
        if (path.startsWith("$key:")) {
          const key = path.slice("$key:".length);
          path = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && key.length <= 80 ? key : `[${JSON.stringify(key.length > 80 ? `${key.slice(0, 79)}…` : key)}]`;
        }
        const problem = result.problems.find((candidate) => candidate.path === path);
        expect(problem, `${context}\nno problem at ${path}: ${JSON.stringify(result.problems)}`).toBeDefined();
        // A missing field has nothing to show; anything else shows what was there.
        if (!problem!.message.startsWith("missing")) expect(problem!.given, `${context}\n${JSON.stringify(problem)}`).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------
// (b) Arbitrary documents

/** YAML-ish fragments: indicators, anchors, aliases, tags, block scalars, flow brackets, directives. */
const yamlFragmentArbitrary = fc.oneof(
  fc.constantFrom(
    "system: kafka\n", "duration: 1s\n", "cluster:\n", "  brokers: 3\n", "topics:\n", "  - name: t\n", "    partitions: 1\n", "    replicationFactor: 1\n",
    "- ", "  ", ": ", "? ", "[", "]", "{", "}", ", ", "&a ", "&b ", "*a", "*b", "*undefined", "!!str ", "!!binary ", "!!map ", "!!seq ", "!custom ", "!<tag:yaml.org,2002:int> ",
    "|\n", "|-\n", ">+\n", "'", '"', "# comment\n", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\t", "\n", "\r\n", "<<: *a\n", "key", "b1", "1e308", ".nan", ".inf", "-.inf",
    "~", "null", "0x1F", "0o17", "1_000", "+12", "2001-12-14", "\u0000", "\ufeff", "\\", "@", "`", "%", "\u2028",
  ),
  fc.string({ maxLength: 6 }),
);
const yamlishArbitrary = fc.array(yamlFragmentArbitrary, { maxLength: 60 }).map((parts) => parts.join(""));

/** "Billion laughs": `levels` anchors, each aliasing the previous `fanout` times. */
const aliasBombArbitrary = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 12 }), fc.boolean()).map(([levels, fanout, asScenario]) => {
  let text = asScenario ? "system: kafka\nduration: 1s\ncluster: {brokers: 1}\ntopics: [{name: t, partitions: 1, replicationFactor: 1}]\nsweep:\n" : "";
  const indent = asScenario ? "  " : "";
  text += `${indent}l0: &l0 [${Array(fanout).fill('"lol"').join(", ")}]\n`;
  for (let level = 1; level <= levels; level += 1) text += `${indent}l${level}: &l${level} [${Array(fanout).fill(`*l${level - 1}`).join(", ")}]\n`;
  return text;
});

/** Wide amplification: many anchors, each used up to the per-anchor limit (which yaml's maxAliasCount does not catch). */
const aliasFanArbitrary = fc.tuple(fc.integer({ min: 1, max: 15 }), fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 99 })).map(([anchors, names, uses]) => {
  const list = Array.from({ length: names }, (_, n) => `n${n}`).join(",");
  let text = `${MINIMAL_SCENARIO_YAML}faults:\n`;
  for (let a = 0; a < anchors; a += 1) text += `  - {at: 1s, verb: partition, spec: {kind: isolate, nodes: &a${a} [${list}]}}\n`;
  for (let a = 0; a < anchors; a += 1) text += `  - {at: 2s, verb: partition, spec: {kind: total, groups: [${Array(uses).fill(`*a${a}`).join(",")}]}}\n`;
  return { text, values: anchors * uses * (names + 1) };
});

/** Deep nesting built as text, up to 10^5 levels, in flow and block styles, closed or not. */
const deepTextArbitrary = fc
  .tuple(fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 100, max: 100_000 })), fc.constantFrom("flow-seq", "flow-map", "json-map", "dash", "block-map", "question"), fc.boolean())
  .map(([depth, style, closed]): { text: string; depth: number } => {
    switch (style) {
      case "flow-seq":
        return { text: "[".repeat(depth) + (closed ? "]".repeat(depth) : ""), depth };
      case "flow-map":
        return { text: "{a: ".repeat(depth) + "1" + (closed ? "}".repeat(depth) : ""), depth };
      case "json-map":
        return { text: '{"system":'.repeat(depth) + '"kafka"' + (closed ? "}".repeat(depth) : ""), depth };
      case "dash":
        return { text: `${"- ".repeat(depth)}x`, depth };
      case "question":
        return { text: `${"? ".repeat(depth)}x`, depth };
      default: {
        // Indentation costs depth² characters: capped to stay under the size limit.
        const levels = Math.min(depth, 1_200);
        return { text: Array.from({ length: levels }, (_, level) => `${" ".repeat(level)}k${level}:`).join("\n") + " 1", depth: levels };
      }
    }
  });

const anythingArbitrary = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

describe("(b) arbitrary documents", () => {
  it("fc.anything() given straight to validateScenario, and written as JSON and YAML where it can be", () => {
    currentProperty = "(b) fc.anything()";
    fc.assert(
      fc.property(anythingArbitrary, fc.oneof(fc.constant(undefined), fc.constant(null).map(() => ({ system: "kafka" }))), (value, wrapper) => {
        // Half the time inside a scenario-shaped object, so the schema looks deeper than its first key.
        const document = wrapper === undefined ? value : { ...wrapper, duration: value, cluster: value, topics: value };
        const started = performance.now();
        const direct = validateScenario(document);
        record(direct, performance.now() - started);
        expectClear(direct, `validateScenario(${safeText(document)})`);
        expect(direct.ok).toBe(false);
        for (const format of ["json", "yaml"] as const) {
          let text: string | undefined;
          try {
            text = serialise(document, format);
          } catch {
            continue; // BigInt in JSON, and such: not a document anyone can write.
          }
          if (text !== undefined) check(text, `${format}: ${text.slice(0, 200)}`);
        }
      }),
      { numRuns: 250 },
    );
  });

  it("fc.json() documents", () => {
    currentProperty = "(b) fc.json()";
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (text) => {
        const result = check(text, text.slice(0, 200));
        expect(result.ok).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it("YAML-ish text: fragments, anchors, aliases, tags, directives; nothing printed", () => {
    currentProperty = "(b) YAML-ish fragments";
    const emitWarning = vi.spyOn(process, "emitWarning");
    const consoleWarn = vi.spyOn(console, "warn");
    try {
      fc.assert(
        fc.property(yamlishArbitrary, (text) => {
          check(text, JSON.stringify(text));
        }),
        { numRuns: 800 },
      );
      // Unknown tags, collection keys and the like are YAML warnings: the loader must not print them.
      expect(emitWarning).not.toHaveBeenCalled();
      expect(consoleWarn).not.toHaveBeenCalled();
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("random characters and bytes", () => {
    currentProperty = "(b) random characters and bytes";
    const decoder = new TextDecoder("utf-8");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.uint8Array({ maxLength: 300 }).map((bytes) => decoder.decode(bytes)),
          fc.uint8Array({ maxLength: 300 }).map((bytes) => String.fromCharCode(...bytes)),
        ),
        (text) => {
          check(text, JSON.stringify(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("alias bombs are refused fast, whatever their shape", () => {
    currentProperty = "(b) alias bombs";
    fc.assert(
      fc.property(aliasBombArbitrary, (text) => {
        const result = check(text, text);
        // Expanding to more than the alias budget must be refused as a bomb.
        const lines = text.split("\n").filter((line) => line.includes("&l"));
        const fanout = (lines[0]!.match(/"lol"/g) ?? []).length;
        if (fanout ** (lines.length - 1) > 100) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.problems[0]!.message).toMatch(/alias bomb/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("alias fans (many anchors, each used up to the limit) are refused once they expand past the value limit", () => {
    currentProperty = "(b) alias fans";
    fc.assert(
      fc.property(aliasFanArbitrary, ({ text, values }) => {
        const result = check(text, `${text.slice(0, 300)}… (${text.length} characters, ${values} values expanded)`);
        expect(result.ok).toBe(false);
        if (values > SCENARIO_VALUES_MAX && !result.ok) expect(result.problems[0]!.message).toMatch(/alias bomb/);
      }),
      { numRuns: 15 },
    );
  });

  it("deep nesting up to 10^5 levels is refused, without a stack overflow", () => {
    currentProperty = "(b) deep nesting";
    fc.assert(
      fc.property(deepTextArbitrary, ({ text, depth }) => {
        const result = check(text, `${text.slice(0, 60)}… (${text.length} characters, ${depth} deep)`);
        expect(result.ok).toBe(false);
        // Deeper than the limit: refused for its depth (or its size), before the parser recurses.
        if (!result.ok && depth > SCENARIO_NESTING_MAX) expect(result.problems[0]!.message).toMatch(/nested at most|at most 1000000 characters/);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------
// (c) Generated valid scenarios

const VERBS_WITH_NODE = ["processCrash", "powerLoss", "restart", "pause", "resume", "fullDisk", "fsyncLies", "tornWrites", "healDisk"] as const;

const topicNameArbitrary = fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}$/);

/** A duration of `ns` nanoseconds, written one of the ways a user would. */
function durationText(ns: number, style: number): string | number {
  if (ns === 0) return style % 2 === 0 ? 0 : "0";
  if (style % 3 === 0 && ns % 1_000_000_000 === 0) return `${ns / 1_000_000_000}s`;
  if (style % 3 === 1 && ns % 1_000_000 === 0) return `${ns / 1_000_000}ms`;
  return `${ns / 1_000}us`;
}

const rateArbitrary = fc.oneof(
  fc.integer({ min: 0, max: 100_000 }).map((n) => `${n}/s`),
  fc.integer({ min: 1, max: 500 }).map((n) => `${n}k/s`),
  fc.integer({ min: 1, max: 60_000 }).map((n) => `${n}/min`),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
);

/** Capacities (a group's maxRate, a service's capacity) must be above 0. */
const positiveRateArbitrary = rateArbitrary.filter((rate) => (typeof rate === "number" ? rate > 0 : !/^0+(\.0*)?(k)?\/(s|min)$/.test(rate)));

const sizeArbitrary = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }).map((n) => `${n}B`),
  fc.integer({ min: 1, max: 1_024 }).map((n) => `${n}KiB`),
  fc.integer({ min: 1, max: 10 }).map((n) => `${n}MB`),
  fc.integer({ min: 1, max: 1_000_000 }),
);

const smallDurationArbitrary = fc.oneof(fc.integer({ min: 0, max: 10_000 }).map((n) => `${n}us`), fc.integer({ min: 1, max: 500 }).map((n) => `${n}ms`));

/** A duration or size as written → its value in the base unit (ns or bytes), to order two of them. */
function magnitude(value: string | number): number {
  return typeof value === "number" ? value : (parseDurationNs(value) ?? parseSizeBytes(value) ?? 0);
}

/** Valid distributions: a uniform's min is at most its max, a lognormal's median is above 0. */
function distributionArbitrary(unit: fc.Arbitrary<string | number>): fc.Arbitrary<unknown> {
  return fc.oneof(
    unit,
    unit.map((value) => ({ kind: "constant", value })),
    fc.tuple(unit, unit).map(([a, b]) => (magnitude(a) <= magnitude(b) ? { kind: "uniform", min: a, max: b } : { kind: "uniform", min: b, max: a })),
    unit.map((mean) => ({ kind: "exponential", mean })),
    fc.tuple(unit.filter((median) => magnitude(median) > 0), fc.double({ min: 0, max: 5, noNaN: true })).map(([median, sigma]) => ({ kind: "lognormal", median, sigma })),
    fc.tuple(unit, unit).map(([mean, stddev]) => ({ kind: "normal", mean, stddev })),
  );
}

const producerConfigArbitrary = fc.record(
  {
    acks: fc.constantFrom(0, 1, -1, "0", "1", "-1", "all"),
    "linger.ms": fc.integer({ min: 0, max: 60_000 }),
    "batch.size": fc.integer({ min: 1, max: 2_147_483_647 }),
    retries: fc.integer({ min: 0, max: 2_147_483_647 }),
    "enable.idempotence": fc.boolean(),
    "max.in.flight.requests.per.connection": fc.integer({ min: 1, max: 1_000 }),
    // linger.ms + request.timeout.ms must stay within the default delivery.timeout.ms (120 s).
    "request.timeout.ms": fc.integer({ min: 1, max: 60_000 }),
  },
  { requiredKeys: [] },
).map((config) =>
  // Kafka refuses idempotence with acks other than all, no retries, or more than 5 requests in flight.
  config["enable.idempotence"] === true
    ? { ...config, acks: "all" as const, retries: Math.max(1, config.retries ?? 1), "max.in.flight.requests.per.connection": Math.min(5, config["max.in.flight.requests.per.connection"] ?? 5) }
    : config,
);

const consumerConfigArbitrary = fc.record(
  {
    "enable.auto.commit": fc.boolean(),
    "auto.offset.reset": fc.constantFrom("earliest", "latest"),
    "max.poll.records": fc.integer({ min: 1, max: 1_000_000 }),
    // Above the default heartbeat.interval.ms (3 s), as Kafka requires.
    "session.timeout.ms": fc.integer({ min: 3_001, max: 300_000 }),
  },
  { requiredKeys: [] },
);

/** Valid scenarios across the schema's ranges, with every cross-field rule kept by construction. */
const validScenarioArbitrary = fc
  .record({
    brokers: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 64 }) }),
    durationSeconds: fc.integer({ min: 1, max: 3_600 }),
    durationStyle: fc.nat(5),
    topicNames: fc.uniqueArray(topicNameArbitrary, { minLength: 1, maxLength: 4 }),
    producerNames: fc.shuffledSubarray(["checkout", "ingest", "clicks", "audit-log"]),
    groupNames: fc.shuffledSubarray(["billing", "search", "analytics", "archive"]),
    serviceNames: fc.shuffledSubarray(["db", "enrich", "cache"]),
    seed: fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 20 }), fc.constant(undefined)),
    disk: fc.option(fc.constantFrom("hdd", "sata-ssd", "nvme", "nvme-plp"), { nil: undefined }),
    racks: fc.boolean(),
    checks: fc.option(fc.shuffledSubarray([...CHECKER_NAMES]), { nil: undefined }),
  })
  .chain((shape) => {
    const durationNs = shape.durationSeconds * 1_000_000_000;
    const before = fc.integer({ min: 0, max: durationNs - 1 });
    const atArbitrary = fc.tuple(before, fc.nat(5)).map(([ns, style]) => durationText(ns, style));
    const topicArbitrary = fc.constantFrom(...shape.topicNames);
    const producers = fc.tuple(
      ...shape.producerNames.map((name, k) =>
        fc.record(
          {
            name: fc.constant(name),
            count: fc.integer({ min: 1, max: 3 }),
            topic: topicArbitrary,
            rate: fc.oneof(
              rateArbitrary,
              rateArbitrary.map((rate) => ({ kind: "constant", rate })),
              rateArbitrary.map((rate) => ({ kind: "poisson", rate })),
              fc.tuple(fc.array(fc.tuple(atArbitrary, rateArbitrary), { minLength: 1, maxLength: 4 }), fc.boolean()).map(([steps, poisson]) => ({ kind: "piecewise", steps: steps.map(([at, rate]) => ({ at, rate })), poisson })),
            ),
            messageSize: distributionArbitrary(sizeArbitrary),
            messagesPerSend: fc.integer({ min: 1, max: 1_000 }),
            callsBefore: shape.serviceNames.length === 0 ? fc.constant([]) : fc.shuffledSubarray(shape.serviceNames),
            config: producerConfigArbitrary,
          },
          // The first producer sometimes goes by its default name (p1).
          { requiredKeys: k === 0 ? ["topic", "rate"] : ["name", "topic", "rate"] },
        ),
      ),
    );
    const consumers = fc.tuple(
      ...shape.groupNames.map((group) =>
        fc.record(
          {
            group: fc.constant(group),
            count: fc.integer({ min: 1, max: 4 }),
            topics: fc.shuffledSubarray(shape.topicNames, { minLength: 1 }),
            processingTime: distributionArbitrary(smallDurationArbitrary),
            maxRate: positiveRateArbitrary,
            commit: fc.constantFrom("auto", "before-process", "after-process"),
            idempotent: fc.boolean(),
            startAt: atArbitrary,
            calls: shape.serviceNames.length === 0 ? fc.constant([]) : fc.shuffledSubarray(shape.serviceNames),
            config: consumerConfigArbitrary,
          },
          { requiredKeys: ["group", "topics"] },
        ).map((group) =>
          // Auto-commit (the default policy) needs enable.auto.commit left on.
          (group.commit ?? "after-process") === "auto" && group.config?.["enable.auto.commit"] === false ? { ...group, config: { ...group.config, "enable.auto.commit": true } } : group,
        ),
      ),
    );
    const services = fc.tuple(...shape.serviceNames.map((name) => fc.record({ name: fc.constant(name), latency: distributionArbitrary(smallDurationArbitrary), capacity: positiveRateArbitrary }, { requiredKeys: ["name", "latency"] })));
    return fc.tuple(fc.constant(shape), producers, consumers, services, fc.array(fc.integer({ min: 1, max: shape.brokers }), { minLength: shape.topicNames.length, maxLength: shape.topicNames.length }), fc.nat(), atArbitrary.chain(() => fc.array(fc.tuple(atArbitrary, fc.nat(1_000), fc.nat(1_000), fc.double({ min: 1, max: 10_000, noNaN: true })), { maxLength: 8 })));
  })
  .map(([shape, producers, consumers, services, replicationFactors, pick, faultDraws]) => {
    const minRf = Math.min(...replicationFactors);
    const document: Json = {
      system: "kafka",
      duration: durationText(shape.durationSeconds * 1_000_000_000, shape.durationStyle),
      cluster: { brokers: shape.brokers, ...(shape.disk === undefined ? {} : { disk: shape.disk }), ...(shape.racks ? { racks: Array.from({ length: shape.brokers }, (_, k) => `rack-${k % 3}`) } : {}) },
      topics: shape.topicNames.map((name, k) => ({ name, partitions: 1 + ((pick + k) % 10_000), replicationFactor: replicationFactors[k]! })),
      producers,
      consumers,
      services,
      ...(pick % 3 === 0 ? { config: { "min.insync.replicas": 1 + (pick % minRf), "unclean.leader.election.enable": pick % 2 === 0 } } : {}),
      ...(shape.seed === undefined ? {} : { seed: shape.seed }),
      ...(shape.checks === undefined ? {} : { checks: shape.checks }),
      // Budgets a scenario must fit (estimated events and memory, budget-check.ts): tight ones sometimes, the largest otherwise.
      budgets: pick % 4 === 0 ? { maxEvents: 1_000 + pick, convergeWithin: "30s" } : { maxEvents: 10_000_000_000, maxMemory: "8000TiB" },
      ...(pick % 5 === 0 ? { sweep: { "cluster.brokers": [1, 2, 3], 'producers[0].config["acks"]': ["all", 1] } } : {}),
    };
    // Node names as the loader will make them: brokers, the controller, producers, consumer group members.
    const nodes = [...Array.from({ length: shape.brokers }, (_, k) => `b${k + 1}`), "controller"];
    producers.forEach((producer, k) => {
      const base = producer.name ?? `p${k + 1}`;
      const count = producer.count ?? 1;
      nodes.push(...(count === 1 ? [base] : Array.from({ length: count }, (_, n) => `${base}-${n + 1}`)));
    });
    consumers.forEach((group) => nodes.push(...Array.from({ length: group.count ?? 1 }, (_, n) => `${group.group}-${n + 1}`)));
    document["faults"] = faultDraws.map(([at, verbDraw, nodeDraw, factor]) => {
      const node = nodes[nodeDraw % nodes.length]!;
      switch (verbDraw % 5) {
        case 0:
          return { at, verb: "slowDisk", node, factor };
        case 1:
          return { at, verb: "partition", name: `cut-${nodeDraw}`, spec: { kind: "isolate", nodes: [node] } };
        case 2:
          return { at, verb: "partition", spec: { kind: "one-way", from: [node], to: [nodes[verbDraw % nodes.length]!] } };
        case 3:
          return { at, verb: verbDraw % 2 === 0 ? "healAll" : "heal" };
        default:
          return { at, verb: VERBS_WITH_NODE[verbDraw % VERBS_WITH_NODE.length]!, node };
      }
    });
    return document;
  });

describe("(c) generated valid scenarios", () => {
  it("load, as JSON and as YAML, and keep what was written", () => {
    currentProperty = "(c) valid scenarios";
    let loaded = 0;
    let overBudget = 0;
    fc.assert(
      fc.property(validScenarioArbitrary, formatArbitrary, (document, format) => {
        const text = serialise(document, format)!;
        const result = check(text, `${format}:\n${text}`);
        // A scenario may be well formed and still not fit its budgets (its estimated events or memory): that refusal only.
        if (!result.ok && result.problems.every((problem) => problem.path === "budgets.maxEvents" || problem.path === "budgets.maxMemory")) {
          overBudget++;
          return;
        }
        if (!result.ok) throw new Error(`a valid scenario was refused:\n${JSON.stringify(result.problems, null, 2)}\n${text}`);
        loaded++;
        const scenario = result.scenario;
        if (scenario.system !== "kafka") throw new Error(`expected a kafka scenario, got ${scenario.system}`);
        expect(scenario.cluster.brokers).toBe((document["cluster"] as Json)["brokers"]);
        expect(scenario.topics.map((topic) => topic.name)).toEqual((document["topics"] as Json[]).map((topic) => topic["name"]));
        expect(scenario.producers).toHaveLength((document["producers"] as unknown[]).length);
        expect(scenario.consumers).toHaveLength((document["consumers"] as unknown[]).length);
        expect(scenario.faults).toHaveLength((document["faults"] as unknown[]).length);
      }),
      { numRuns: 200 },
    );
    // The budget rule must not refuse most of what the generator makes, or this property tests nothing else.
    expect(loaded).toBeGreaterThan(overBudget);
  });
});
