import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { stripCommentsAndLiterals } from "./strip-literals.js";
import { findTidyViolations, type TidyFile, type TidyRuleId, type TidyViolation } from "./tidy-rules.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// Code-unit order, never locale order: the listing must be identical on every host.
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function listTsFiles(dir: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listTsFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".ts")) found.push(full);
  }
  return found;
}

function repositoryFiles(): TidyFile[] {
  const paths = [...listTsFiles(join(ROOT, "src")), ...listTsFiles(join(ROOT, "properties")), ...listTsFiles(join(ROOT, "bench"))]
    .map((full) => relative(ROOT, full).split(sep).join("/"))
    .sort(byCodeUnit);
  return paths.map((path) => ({ path, text: readFileSync(join(ROOT, path), "utf8") }));
}

function render(violations: readonly TidyViolation[]): string {
  return violations.map((v) => `${v.path}:${v.line} [${v.rule}] ${v.message}`).join("\n");
}

function rulesFor(path: string, text: string): TidyRuleId[] {
  return findTidyViolations([{ path, text }]).map((v) => v.rule);
}

describe("tidy: the repository", () => {
  it("has no tidy violations in src/, properties/ and bench/", () => {
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(0);
    const violations = findTidyViolations(files);
    // An empty string on success; on failure the diff shows one violation per line.
    expect(render(violations)).toBe("");
  });
});

describe("tidy: determinism rules fire", () => {
  const cases: [string, TidyRuleId][] = [
    ["const r = Math.random();", "determinism/math-random"],
    ["const r = globalThis.Math.random();", "determinism/math-random"],
    ["const t = Date.now();", "determinism/wall-clock"],
    ["const d = new Date(0);", "determinism/wall-clock"],
    ["const s = Date();", "determinism/wall-clock"],
    ["const t = performance.now();", "determinism/wall-clock"],
    ["const t = process.hrtime.bigint();", "determinism/wall-clock"],
    ["setTimeout(() => {}, 10);", "determinism/host-timer"],
    ["globalThis.setInterval(tick, 10);", "determinism/host-timer"],
    ["setImmediate(tick);", "determinism/host-timer"],
    ["queueMicrotask(tick);", "determinism/host-timer"],
    ["process.nextTick(tick);", "determinism/host-timer"],
    ["const n = crypto.randomInt(10);", "determinism/crypto-random"],
    ['import { randomUUID } from "node:crypto";', "determinism/crypto-random"],
    ["const b = randomBytes(8);", "determinism/crypto-random"],
    ["webcrypto.getRandomValues(buf);", "determinism/crypto-random"],
    ["const w = new WeakRef(obj);", "determinism/gc-observation"],
    ["const f = new FinalizationRegistry(cb);", "determinism/gc-observation"],
    ["names.sort((a, b) => a.localeCompare(b));", "determinism/locale"],
    ["const f = new Intl.NumberFormat();", "determinism/locale"],
    ["for (const key in obj) use(key);", "determinism/for-in"],
    ["for (k in obj) use(k);", "determinism/for-in"],
    ["const s = xs.sort();", "determinism/sort-without-comparator"],
    ["const s = xs\n  .sort( );", "determinism/sort-without-comparator"],
    ['import seedrandom from "seedrandom";', "determinism/seedrandom-outside-rng"],
  ];
  it.each(cases)("%s -> %s", (text, rule) => {
    expect(rulesFor("src/kernel/x.ts", text)).toContain(rule);
  });

  it("reports the 1-based line and says what was found and why", () => {
    const [violation, ...rest] = findTidyViolations([{ path: "src/world/x.ts", text: "// header\n\nconst r = Math.random();\n" }]);
    expect(rest).toEqual([]);
    expect(violation).toMatchObject({ path: "src/world/x.ts", line: 3, rule: "determinism/math-random" });
    expect(violation!.message).toContain("Math.random");
    expect(violation!.message).toContain("replay");
  });

  it("allows the same APIs where they are deterministic or out of scope", () => {
    expect(rulesFor("src/kernel/rng.ts", 'import seedrandom from "seedrandom";')).toEqual([]);
    expect(rulesFor("src/kernel/x.ts", "xs.sort((a, b) => a - b); for (const k of keys) use(k);")).toEqual([]);
    expect(rulesFor("src/kernel/x.ts", "node.setTimer(10); toDate(x); const d: Date | null = null;")).toEqual([]);
    expect(rulesFor("src/kernel/x.ts", "for (let i = 0; i < n; i++) use(i); const inside = 1;")).toEqual([]);
  });

  it("exempts src/cli/, test files and files outside src/", () => {
    const text = "const t = Date.now(); const r = Math.random(); setTimeout(f, 1);";
    expect(rulesFor("src/cli/main.ts", text)).toEqual([]);
    expect(rulesFor("src/kernel/rng.test.ts", text)).toEqual([]);
    expect(rulesFor("properties/fast-check-setup.ts", text)).toEqual([]);
    expect(rulesFor("bench/run-kernel.ts", text)).toEqual([]);
  });
});

describe("tidy: comments and literals never trigger rules", () => {
  const hidden = [
    "// const r = Math.random();",
    "/* Date.now() and setTimeout(f) */",
    "/**\n * for (const k in obj) xs.sort()\n */",
    'const s = "Math.random() it.skip(";',
    "const s = 'new Date() .only(';",
    "const s = `performance.now() ${1 + 1} Intl.NumberFormat`;",
    "const r = /Math\\.random|it\\.skip|[/]sort\\(\\)/g;",
    "const ok = a / b / c; // Date.now()",
  ];
  it.each(hidden)("%s", (text) => {
    expect(rulesFor("src/kernel/x.ts", text)).toEqual([]);
    expect(rulesFor("src/kernel/x.test.ts", text)).toEqual([]);
  });

  it("still sees code inside template expressions and after literals", () => {
    expect(rulesFor("src/kernel/x.ts", "const s = `t=${Date.now()}`;")).toEqual(["determinism/wall-clock"]);
    expect(rulesFor("src/kernel/x.ts", 'const s = "a\\"b"; Math.random();')).toEqual(["determinism/math-random"]);
    expect(rulesFor("src/kernel/x.ts", "const r = /'/; Math.random();")).toEqual(["determinism/math-random"]);
  });

  it("keeps offsets and line numbers intact", () => {
    const text = 'a /* x\ny */ "s\\"t" `u\n${v}` // w\nz';
    const stripped = stripCommentsAndLiterals(text);
    expect(stripped.length).toBe(text.length);
    expect(stripped.split("\n").length).toBe(text.split("\n").length);
    expect(stripped).toContain("${v}");
  });
});

describe("tidy: layering rules", () => {
  it("fires when src/world/ imports a system", () => {
    expect(rulesFor("src/world/a.ts", 'import { B } from "../systems/kafka/b.js";')).toEqual(["layering/world"]);
  });

  it("fires when src/world/ imports faults, clients or anything above it", () => {
    expect(rulesFor("src/world/a.ts", 'import type { F } from "../faults/fault.js";')).toEqual(["layering/world"]);
    expect(rulesFor("src/world/a.ts", 'export { C } from "../clients/c.js";')).toEqual(["layering/world"]);
    expect(rulesFor("src/world/a.ts", 'const m = await import("../systems/kafka/b.js");')).toEqual(["layering/world"]);
  });

  it("lets src/world/ import src/world/, src/kernel/ and packages", () => {
    const text = [
      'import { assert } from "../kernel/assert.js";',
      'import type { Node } from "./node.js";',
      'import { x } from "./sub/../disk.js";',
      'import { readFileSync } from "node:fs";',
    ].join("\n");
    expect(rulesFor("src/world/a.ts", text)).toEqual([]);
  });

  it("fires when src/kernel/ reaches outside src/kernel/", () => {
    expect(rulesFor("src/kernel/a.ts", 'import { World } from "../world/world.js";')).toEqual(["layering/kernel"]);
    expect(rulesFor("src/kernel/a.ts", 'import type { K } from "../systems/kafka/k.js";')).toEqual(["layering/kernel"]);
    expect(rulesFor("src/kernel/a.ts", 'type T = import("../world/world.js").World;')).toEqual(["layering/kernel"]);
    expect(rulesFor("src/kernel/a.ts", 'import { assert } from "./assert.js";')).toEqual([]);
  });

  it("fires when one system folder imports another, but not for kernel or world imports", () => {
    expect(rulesFor("src/systems/kafka/a.ts", 'import { B } from "../rabbitmq/b.js";')).toEqual([
      "layering/system-to-system",
    ]);
    expect(rulesFor("src/systems/kafka/a.ts", 'export { B } from "../rabbitmq/b.js";')).toEqual(["layering/system-to-system"]);
    expect(rulesFor("src/systems/kafka/a.ts", 'import { Kernel } from "../../kernel/index.js";')).toEqual([]);
    expect(rulesFor("src/systems/kafka/a.ts", 'import { World } from "../../world/world.js";')).toEqual([]);
    expect(rulesFor("src/systems/kafka/log/a.ts", 'import { B } from "../b.js";')).toEqual([]);
  });

  it("fires when a system imports a kernel module other than src/kernel/index.ts", () => {
    expect(rulesFor("src/systems/kafka/a.ts", 'import { assert } from "../../kernel/assert.js";')).toEqual(["layering/system-kernel-index"]);
    expect(rulesFor("src/systems/rabbitmq/raft/a.ts", 'import type { Trace } from "../../../kernel/trace.js";')).toEqual(["layering/system-kernel-index"]);
    expect(rulesFor("src/systems/kafka/a.ts", 'import { assert } from "../../kernel/index.js";')).toEqual([]);
    expect(rulesFor("src/world/a.ts", 'import { assert } from "../kernel/assert.js";')).toEqual([]);
  });

  it("fires when the shared Raft reaches above the world", () => {
    expect(rulesFor("src/raft/a.ts", 'import type { History } from "../history/history.js";')).toEqual(["layering/raft"]);
    expect(rulesFor("src/raft/a.ts", 'import { RabbitBroker } from "../systems/rabbitmq/broker.js";')).toEqual(["layering/raft"]);
    expect(rulesFor("src/raft/a.ts", 'import type { Disk } from "../world/disk.js";')).toEqual([]);
  });

  it("fires when product code outside the systems reaches into a system's folder instead of the registry", () => {
    expect(rulesFor("src/scenario/a.ts", 'import { runKafka } from "../systems/kafka/run.js";')).toEqual(["layering/system-registry"]);
    expect(rulesFor("src/cli/a.ts", 'import type { RabbitScenario } from "../systems/rabbitmq/scenario-schema.js";')).toEqual(["layering/system-registry"]);
    expect(rulesFor("src/a.ts", 'export { runKafka } from "./systems/kafka/run.js";')).toEqual(["layering/system-registry"]);
    // Through the registry, from the registry itself, from tests and from test fixtures it is allowed.
    expect(rulesFor("src/scenario/a.ts", 'import { systemNamed } from "../systems/index.js";')).toEqual([]);
    expect(rulesFor("src/systems/index.ts", 'import { kafkaSystem } from "./kafka/system.js";')).toEqual([]);
    expect(rulesFor("src/scenario/a.test.ts", 'import { runKafka } from "../systems/kafka/run.js";')).toEqual([]);
    expect(rulesFor("src/report/report-fixture.ts", 'import { runKafka } from "../systems/kafka/run.js";')).toEqual([]);
  });

  it("fires when a bench builds a cluster or reads a run's live objects instead of its facts and probes", () => {
    expect(rulesFor("bench/a.ts", "const k = new Kernel({ seed: 1 });")).toEqual(["layering/bench-plain-data"]);
    expect(rulesFor("bench/scaling/a.ts", "const c = buildKafkaCluster(kernel, spec);")).toEqual(["layering/bench-plain-data"]);
    expect(rulesFor("bench/a.ts", "const links = result.cluster.world.links();")).toEqual(["layering/bench-plain-data"]);
    // A cluster spec is plain data; the kernel's own bench builds a kernel.
    expect(rulesFor("bench/a.ts", "const spec = { cluster: clusterSpec(3, 6) };")).toEqual([]);
    expect(rulesFor("bench/run-kernel.ts", "const k = new Kernel({ seed: 1 });")).toEqual([]);
    expect(rulesFor("src/a.test.ts", "const links = result.cluster.world.links();")).toEqual([]);
  });

  it("ignores imports that appear only inside comments", () => {
    expect(rulesFor("src/world/a.ts", '// import { B } from "../systems/kafka/b.js";')).toEqual([]);
  });
});

describe("tidy: test hygiene rules", () => {
  const banned = [
    'it.skip("x", () => {});',
    'test.skip("x", () => {});',
    'describe.skip("x", () => {});',
    'it.todo("x");',
    'test.todo("x");',
    'it.concurrent.skip("x", () => {});',
    'it.only("x", () => {});',
    'describe.only("x", () => {});',
  ];
  it.each(banned)("%s", (text) => {
    expect(rulesFor("src/kernel/x.test.ts", text)).toEqual(["test-hygiene/skipped-or-focused"]);
    expect(rulesFor("properties/x.test.ts", text)).toEqual(["test-hygiene/skipped-or-focused"]);
  });

  it("ignores non-test files and conditional or context skips", () => {
    expect(rulesFor("src/kernel/x.ts", 'it.skip("x", () => {});')).toEqual([]);
    expect(rulesFor("src/kernel/x.test.ts", 'it.skipIf(slow)("x", () => {}); it("y", (ctx) => ctx.skip());')).toEqual([]);
  });
});

describe("tidy: style rules", () => {
  it("fires on export * from, but not on a namespace re-export or named re-exports", () => {
    expect(rulesFor("src/a.ts", 'export * from "./checks/index.js";')).toEqual(["style/export-star"]);
    expect(rulesFor("bench/a.ts", 'export*from "./b.js";')).toEqual(["style/export-star"]);
    expect(rulesFor("src/a.ts", 'export * as checks from "./checks/index.js";')).toEqual([]);
    expect(rulesFor("src/a.ts", 'export { checkLost } from "./checks/index.js";')).toEqual([]);
  });

  const functionOf = (lines: number, head: string): string => [head, ...Array.from({ length: lines - 2 }, (_, k) => `  use(${k});`), "}"].join("\n");

  it.each([
    ["a function declaration", "function long(): void {"],
    ["an arrow function", "const long = (): void => {"],
    ["a method", "class C {\n m(): void {"],
  ])("fires on %s longer than 70 lines, at its first line, and not on one of 70", (_, head) => {
    const text = head.startsWith("class") ? `${functionOf(71, head)}\n}` : functionOf(71, head);
    const violations = findTidyViolations([{ path: "src/a.ts", text }]);
    expect(violations.map((v) => v.rule)).toEqual(["style/function-length"]);
    expect(violations[0]!.line).toBe(head.startsWith("class") ? 2 : 1);
    expect(violations[0]!.message).toMatch(/71 lines long/);
    const fits = head.startsWith("class") ? `${functionOf(70, head)}\n}` : functionOf(70, head);
    expect(rulesFor("src/a.ts", fits)).toEqual([]);
  });

  it("counts a return type with braces and a template literal as part of the function, not as its end", () => {
    const text = ["function f(): { a: number } {", "  const s = `}", ...Array.from({ length: 70 }, () => "}"), "`;", "  return { a: s.length };", "}"].join("\n");
    expect(rulesFor("src/a.ts", text)).toEqual(["style/function-length"]);
  });

  it("exempts test files, whose describe blocks are long by nature", () => {
    expect(rulesFor("src/a.test.ts", functionOf(200, "describe(\"x\", () => {"))).toEqual([]);
  });
});
