/**
 * TigerBeetle-style "tidy" rules: cheap textual checks that keep the simulator
 * deterministic and its layers honest. A test (tidy.test.ts) feeds every .ts
 * file of the repository through findTidyViolations and expects nothing back,
 * so a banned construct fails CI instead of surfacing later as an unreplayable
 * run. Rules run on text, not an AST: cheap, dependency-free, and good enough
 * for the narrow patterns banned here.
 *
 * This module is pure: callers pass file paths (repository-relative, "/"
 * separated) and contents; it does no I/O. Matching runs on a copy of the text
 * in which comments and the contents of string, template and regex literals
 * are blanked out (see strip-literals.ts), so prose that merely mentions a
 * banned API never trips a rule.
 */
import { posix } from "node:path";
import { longFunctions } from "./function-length.js";
import { stripCommentsAndLiterals } from "./strip-literals.js";

export type TidyRuleId =
  | "determinism/math-random"
  | "determinism/wall-clock"
  | "determinism/host-timer"
  | "determinism/crypto-random"
  | "determinism/gc-observation"
  | "determinism/locale"
  | "determinism/for-in"
  | "determinism/sort-without-comparator"
  | "determinism/seedrandom-outside-rng"
  | "layering/kernel"
  | "layering/world"
  | "layering/raft"
  | "layering/system-to-system"
  | "layering/system-kernel-index"
  | "layering/system-registry"
  | "layering/bench-plain-data"
  | "style/export-star"
  | "style/function-length"
  | "test-hygiene/skipped-or-focused";

export interface TidyFile {
  path: string;
  text: string;
}

export interface TidyViolation {
  path: string;
  /** 1-based. */
  line: number;
  rule: TidyRuleId;
  message: string;
}

/** Allows a direct reference (`setTimeout`) or one through `globalThis.`, but not `obj.setTimeout`. */
const GLOBAL = String.raw`(?:(?<![\w$.])|(?<=\bglobalThis\s*\.\s*))`;

interface BannedPattern {
  rule: TidyRuleId;
  regex: RegExp;
  why: string;
}

/** TigerBeetle's limit: a function is read whole, on one screen. */
export const FUNCTION_LINES_MAX = 70;

/** `export * from "x"` (a namespace re-export, `export * as ns from`, names what it exports and is allowed). */
const EXPORT_STAR = /\bexport\s*\*\s*from\b/g;

const SEEDED = "unseeded randomness makes a run impossible to replay; draw from a named kernel RngStream";
const CLOCK = "reads the host clock; simulated time comes only from the kernel scheduler";

const DETERMINISM_PATTERNS: readonly BannedPattern[] = [
  { rule: "determinism/math-random", regex: new RegExp(GLOBAL + String.raw`Math\s*\.\s*random\b`, "g"), why: SEEDED },
  { rule: "determinism/wall-clock", regex: new RegExp(GLOBAL + String.raw`Date\s*\.\s*now\b`, "g"), why: CLOCK },
  { rule: "determinism/wall-clock", regex: /\bnew\s+(?:globalThis\s*\.\s*)?Date\b/g, why: CLOCK },
  {
    rule: "determinism/wall-clock",
    regex: new RegExp(String.raw`(?<!\bnew\s+(?:globalThis\s*\.\s*)?)` + GLOBAL + String.raw`Date\s*\(`, "g"),
    why: CLOCK,
  },
  { rule: "determinism/wall-clock", regex: new RegExp(GLOBAL + String.raw`performance\s*\.\s*now\b`, "g"), why: CLOCK },
  { rule: "determinism/wall-clock", regex: new RegExp(GLOBAL + String.raw`process\s*\.\s*hrtime\b`, "g"), why: CLOCK },
  {
    rule: "determinism/host-timer",
    regex: new RegExp(GLOBAL + String.raw`(?:setTimeout|setInterval|setImmediate|queueMicrotask)\b`, "g"),
    why: "schedules work on the host event loop, outside simulated time; schedule a kernel event instead",
  },
  {
    rule: "determinism/host-timer",
    regex: new RegExp(GLOBAL + String.raw`process\s*\.\s*nextTick\b`, "g"),
    why: "schedules work on the host event loop, outside simulated time; schedule a kernel event instead",
  },
  { rule: "determinism/crypto-random", regex: new RegExp(GLOBAL + String.raw`crypto\s*\.\s*random[\w$]*`, "g"), why: SEEDED },
  // These names are distinctive enough to ban in any position (import, property, call).
  { rule: "determinism/crypto-random", regex: /\b(?:randomUUID|randomBytes|getRandomValues)\b/g, why: SEEDED },
  {
    rule: "determinism/gc-observation",
    regex: new RegExp(GLOBAL + String.raw`(?:WeakRef|FinalizationRegistry)\b`, "g"),
    why: "observes garbage-collector timing, which differs from run to run",
  },
  {
    rule: "determinism/locale",
    regex: /\blocaleCompare\b/g,
    why: "result depends on the host's locale and ICU data; compare code units with < and > instead",
  },
  {
    rule: "determinism/locale",
    regex: new RegExp(GLOBAL + String.raw`Intl\s*\.`, "g"),
    why: "result depends on the host's locale and ICU data",
  },
  {
    rule: "determinism/for-in",
    regex: /\bfor\s*\(\s*(?:(?:const|let|var)\s+)?[\w$]+\s+in\b/g,
    why: "iterates object keys (inherited ones too) in an order set by insertion history; iterate an array or Map",
  },
  {
    rule: "determinism/sort-without-comparator",
    regex: /\.\s*(?:sort|toSorted)\s*\(\s*\)/g,
    why: "the default order compares as strings (10 sorts before 9) and hides intent; pass an explicit comparator",
  },
];

const PLAIN_DATA = "a bench measures a system through its run (src/run/system.ts: facts, probes, check inputs), as plain data, never by building a cluster or reading live simulation objects";

const BENCH_PATTERNS: readonly BannedPattern[] = [
  { rule: "layering/bench-plain-data", regex: /\bnew\s+Kernel\s*\(/g, why: PLAIN_DATA },
  { rule: "layering/bench-plain-data", regex: /\bbuild[A-Z][\w$]*Cluster\s*\(/g, why: PLAIN_DATA },
  { rule: "layering/bench-plain-data", regex: /\.\s*cluster\b/g, why: PLAIN_DATA },
];

const TEST_HYGIENE_PATTERNS: readonly BannedPattern[] = [
  {
    rule: "test-hygiene/skipped-or-focused",
    // Allows modifier chains such as it.concurrent.skip.
    regex: /\b(?:it|test|describe)\b(?:\s*\.\s*[\w$]+)*?\s*\.\s*(?:skip|todo)\b/g,
    why: "a skipped or placeholder test passes silently; fix it, delete it, or track it outside the suite",
  },
  {
    rule: "test-hygiene/skipped-or-focused",
    regex: /\.\s*only\s*\(/g,
    why: "a focused test silently disables every other test in the file",
  },
];

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let k = 0; k < text.length; k++) if (text[k] === "\n") starts.push(k + 1);
  return starts;
}

function lineOf(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

interface ImportRef {
  specifier: string;
  offset: number;
}

/**
 * Finds module specifiers of `import ... from`, `export ... from`, `import "x"`,
 * `import("x")` (including `import("x").T` in type positions) and `import type`.
 * The stripped text locates the quotes; the original text supplies the specifier.
 */
export function findImports(text: string, stripped: string = stripCommentsAndLiterals(text)): ImportRef[] {
  const refs: ImportRef[] = [];
  const opener = /(?:\bfrom|\bimport|\bimport\s*\(|\brequire\s*\()\s*(["'])/g;
  for (let m = opener.exec(stripped); m !== null; m = opener.exec(stripped)) {
    const quote = m[1]!;
    const open = m.index + m[0].length - 1;
    const close = stripped.indexOf(quote, open + 1);
    if (close === -1) continue;
    refs.push({ specifier: text.slice(open + 1, close), offset: m.index });
  }
  return refs;
}

/** Resolves a relative specifier against the importer's folder; null for packages and builtins. */
function resolveTarget(importerPath: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  return posix.normalize(posix.join(posix.dirname(importerPath), specifier));
}

/** `src/systems/kafka/x.ts` -> "kafka"; null outside a system folder. */
function systemFolderOf(path: string): string | null {
  const match = /^src\/systems\/([^/]+)\//.exec(path);
  return match === null ? null : match[1]!;
}

function layeringViolation(importer: string, specifier: string): { rule: TidyRuleId; why: string } | null {
  const target = resolveTarget(importer, specifier);
  if (target === null) return null;
  if (importer.startsWith("src/kernel/") && !target.startsWith("src/kernel/")) {
    return {
      rule: "layering/kernel",
      why: "src/kernel/ is the bottom layer and may import only from src/kernel/, so it stays reusable by every layer above",
    };
  }
  if (importer.startsWith("src/world/") && !target.startsWith("src/world/") && !target.startsWith("src/kernel/")) {
    return {
      rule: "layering/world",
      why: "src/world/ may import only from src/world/ and src/kernel/; systems, faults and clients are built on top of it",
    };
  }
  if (importer.startsWith("src/raft/") && !importer.endsWith(".test.ts") && !["src/raft/", "src/world/", "src/kernel/"].some((layer) => target.startsWith(layer))) {
    return {
      rule: "layering/raft",
      why: "src/raft/ (one Raft shared by the systems that replicate with it) may import only from src/raft/, src/world/ and src/kernel/ (its tests may drive it with faults)",
    };
  }
  const from = systemFolderOf(importer);
  if (from !== null && target.startsWith("src/kernel/") && target !== "src/kernel/index.js") {
    return {
      rule: "layering/system-kernel-index",
      why: "a system reaches the kernel only through src/kernel/index.ts, so the kernel can change behind that one surface",
    };
  }
  const to = systemFolderOf(target);
  if (to !== null && from === null && isRegistryScope(importer)) {
    return {
      rule: "layering/system-registry",
      why: "code outside a system's folder reaches it only through src/systems/index.ts (the registry) and the interface of src/run/system.ts, so a new system is a folder and one line",
    };
  }
  if (from !== null && to !== null && from !== to) {
    return {
      rule: "layering/system-to-system",
      why: `system "${from}" must not depend on system "${to}"; shared code belongs in src/world/ or src/kernel/`,
    };
  }
  return null;
}

/** Product code outside the systems: src/ less tests, test fixtures and the registry itself. */
function isRegistryScope(path: string): boolean {
  return path.startsWith("src/") && !path.endsWith(".test.ts") && !path.endsWith("-fixture.ts") && !path.endsWith("-fixtures.ts") && path !== "src/systems/index.ts";
}

function isDeterminismScope(path: string): boolean {
  return path.startsWith("src/") && !path.startsWith("src/cli/") && !path.endsWith(".test.ts");
}

/** The kernel's own benches build kernels: they benchmark the kernel itself. */
const KERNEL_BENCHES = new Set(["bench/run-kernel.ts", "bench/yardstick.ts", "bench/peers.ts"]);

/** The benches of the models. */
function isBenchScope(path: string): boolean {
  return path.startsWith("bench/") && !KERNEL_BENCHES.has(path);
}

function isTestScope(path: string): boolean {
  return (path.startsWith("src/") || path.startsWith("properties/")) && path.endsWith(".test.ts");
}

/** Compact, single-line rendering of a match for messages. */
function shown(matched: string): string {
  return matched.replace(/\s+/g, "");
}

export function findTidyViolations(files: readonly TidyFile[]): TidyViolation[] {
  const violations: TidyViolation[] = [];
  for (const file of files) {
    const path = file.path.replace(/\\/g, "/");
    const stripped = stripCommentsAndLiterals(file.text);
    const starts = lineStarts(file.text);
    const report = (offset: number, rule: TidyRuleId, message: string): void => {
      violations.push({ path, line: lineOf(starts, offset), rule, message });
    };

    const patterns: BannedPattern[] = [];
    if (isDeterminismScope(path)) patterns.push(...DETERMINISM_PATTERNS);
    if (isTestScope(path)) patterns.push(...TEST_HYGIENE_PATTERNS);
    if (isBenchScope(path)) patterns.push(...BENCH_PATTERNS);
    for (const pattern of patterns) {
      pattern.regex.lastIndex = 0;
      for (let m = pattern.regex.exec(stripped); m !== null; m = pattern.regex.exec(stripped)) {
        report(m.index, pattern.rule, `found \`${shown(m[0])}\`: ${pattern.why}`);
      }
    }

    if (!path.endsWith(".test.ts")) {
      for (const long of longFunctions(path, file.text, FUNCTION_LINES_MAX)) {
        report(starts[long.line - 1] ?? 0, "style/function-length", `found ${long.name}, ${long.lines} lines long: a function fits on a screen (at most ${FUNCTION_LINES_MAX} lines); split it where its steps are`);
      }
    }
    EXPORT_STAR.lastIndex = 0;
    for (let m = EXPORT_STAR.exec(stripped); m !== null; m = EXPORT_STAR.exec(stripped)) {
      report(m.index, "style/export-star", "found `export * from`: name what a module re-exports, so its surface is visible where it is declared and a rename cannot leak");
    }

    for (const ref of findImports(file.text, stripped)) {
      const isSeedrandom = ref.specifier === "seedrandom" || ref.specifier.startsWith("seedrandom/");
      if (isSeedrandom && isDeterminismScope(path) && path !== "src/kernel/rng.ts") {
        report(
          ref.offset,
          "determinism/seedrandom-outside-rng",
          `found import of "${ref.specifier}": randomness must flow through src/kernel/rng.ts so every draw comes from a named, seeded stream`,
        );
      }
      const layering = layeringViolation(path, ref.specifier);
      if (layering !== null) report(ref.offset, layering.rule, `found import of "${ref.specifier}": ${layering.why}`);
    }
  }
  violations.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
  return violations;
}
