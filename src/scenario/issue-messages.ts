/**
 * The words of a scenario problem: zod's issues turned into plain messages
 * that say what was expected ("expected an integer, got 1.5", "expected at
 * least 1", unknown keys with a did-you-mean), and the tightest of several
 * range errors at one path. Kept apart from load.ts, which reads and bounds
 * the document.
 */
import type { z } from "zod";
import { formatPath, preview, type ScenarioProblem } from "./problem.js";

export type RawIssue = z.core.$ZodRawIssue;

/** Of several bounds broken at one path (an integer's safe range, then the field's own range), only the tightest. */
export function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const tightest = new Map<string, z.core.$ZodIssue>();
  for (const issue of issues) {
    if (issue.code !== "too_big" && issue.code !== "too_small") continue;
    const key = `${issue.code} ${formatPath(issue.path)}`;
    const other = tightest.get(key);
    const tighter =
      other === undefined ||
      (issue.code === "too_big" && other.code === "too_big" && issue.maximum < other.maximum) ||
      (issue.code === "too_small" && other.code === "too_small" && issue.minimum > other.minimum);
    if (tighter) tightest.set(key, issue);
  }
  return issues.filter((issue) => (issue.code !== "too_big" && issue.code !== "too_small") || tightest.get(`${issue.code} ${formatPath(issue.path)}`) === issue);
}

/**
 * Messages for zod's own issues, each saying what was expected ("expected an
 * integer, got 1.5") rather than zod's defaults ("Invalid input: expected int,
 * received number"). Schema-specific messages (a duration "such as 250ms")
 * take precedence over these. Records the keys a strict object knows, so an
 * unknown key can suggest the one meant.
 */
export function describeRawIssue(issue: RawIssue, knownKeys: Map<unknown, string[]>): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? `expected ${typeNoun(issue.expected)}` : `expected ${typeNoun(issue.expected)}, got ${describeValue(issue.input)}`;
    case "too_small":
      return `expected ${bound("at least", "more than", issue.minimum, issue.inclusive, issue.origin, issue.exact)}`;
    case "too_big":
      return `expected ${bound("at most", "less than", issue.maximum, issue.inclusive, issue.origin, issue.exact)}`;
    case "invalid_value":
      return issue.values.length === 1 ? `expected ${literal(issue.values[0])}` : `expected one of ${issue.values.map(literal).join(", ")}`;
    case "invalid_format":
      return `expected ${issue.format === "regex" ? `text matching ${issue.pattern ?? "the documented pattern"}` : `a valid ${issue.format}`}`;
    case "not_multiple_of":
      return `expected a multiple of ${issue.divisor}`;
    case "unrecognized_keys": {
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      if (shape !== undefined && issue.input !== null && typeof issue.input === "object") knownKeys.set(issue.input, Object.keys(shape));
      return `expected only known keys`;
    }
    case "invalid_key":
      return `expected a key that is ${issue.issues.map((inner) => inner.message.replace(/^expected /, "")).join("; ") || "valid"}`;
    case "invalid_element":
      return `expected valid elements: ${issue.issues.map((inner) => inner.message).join("; ")}`;
    case "invalid_union":
      return describeUnion(issue);
    default:
      return undefined;
  }
}

/** A union none of whose forms matched: "expected a number or a string", or the one form that came closest. */
function describeUnion(issue: RawIssue & { code: "invalid_union" }): string {
  if ("discriminator" in issue && issue.discriminator !== undefined && "options" in issue && Array.isArray(issue.options)) {
    return `expected ${issue.discriminator} to be ${issue.options.map(literal).join(" or ")}`;
  }
  const branches = issue.errors.filter((errors) => errors.length > 0);
  const typeOnly = branches.every((errors) => errors.length === 1 && errors[0]!.code === "invalid_type" && errors[0]!.path.length === 0);
  if (branches.length > 0 && typeOnly) {
    const nouns = [...new Set(branches.map((errors) => typeNoun((errors[0] as { expected: string }).expected)))];
    return `expected ${nouns.slice(0, -1).join(", ")}${nouns.length > 1 ? " or " : ""}${nouns[nouns.length - 1]}, got ${describeValue(issue.input)}`;
  }
  const messages = [...new Set(branches.map((errors) => errors[0]!.message))];
  return messages.length > 0 ? `expected one of the documented forms of this field: ${messages.join("; or ")}` : "expected one of the documented forms of this field";
}

function typeNoun(expected: string): string {
  switch (expected) {
    case "int":
      return "an integer";
    case "number":
      return "a number";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "object":
    case "record":
      return "a mapping";
    case "array":
    case "tuple":
      return "a list";
    case "null":
      return "null";
    default:
      return `a value of type ${expected}`;
  }
}

function bound(inclusiveWord: string, exclusiveWord: string, limit: number | bigint, inclusive: boolean | undefined, origin: string, exact: boolean | undefined): string {
  const count = (unit: string): string => `${exact === true ? "exactly" : inclusive === false ? exclusiveWord : inclusiveWord} ${limit} ${unit}${limit === 1 ? "" : "s"}`;
  switch (origin) {
    case "string":
      return count("character");
    case "array":
    case "set":
      return count("item");
    default:
      return `${exact === true ? "exactly" : inclusive === false ? exclusiveWord : inclusiveWord} ${limit}`;
  }
}

function literal(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** "a string", "a list", "1.5", "NaN": the kind of value given, for "expected …, got …". */
function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "boolean":
      return String(value);
    case "string":
      return value.length <= 20 ? JSON.stringify(value) : "a string";
    case "object":
      return "a mapping";
    default:
      return `a ${typeof value}`;
  }
}

/** One zod issue as problems: an unknown-keys issue becomes one problem per key, at the key's own path. */
export function toProblems(issue: z.core.$ZodIssue, knownKeys: Map<unknown, string[]>): ScenarioProblem[] {
  const input = "input" in issue ? issue.input : undefined;
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys.get(input) ?? [];
    return issue.keys.map((key) => {
      const problem: ScenarioProblem = { path: formatPath([...issue.path, key]), message: unknownKeyMessage(key, known) };
      if (input !== null && typeof input === "object") problem.given = preview((input as Record<string, unknown>)[key]);
      return problem;
    });
  }
  // A form chosen by its `kind` (a rate { kind: poisson, rate }) whose fields are wrong: report those fields, not the whole union.
  if (issue.code === "invalid_union" && !("discriminator" in issue && issue.discriminator !== undefined) && input !== null && typeof input === "object" && !Array.isArray(input)) {
    const chosen = issue.errors.filter((errors) => errors.length > 0 && errors.every((inner) => inner.path.length > 0 && !(inner.code === "invalid_value" && inner.path.length === 1 && inner.path[0] === "kind")));
    if (chosen.length === 1) return chosen[0]!.flatMap((inner) => toProblems({ ...inner, path: [...issue.path, ...inner.path] }, knownKeys));
  }
  let given = input;
  // A failed discriminator is reported at its own key ("system"), with the value found there.
  if (issue.code === "invalid_union" && "discriminator" in issue && issue.discriminator !== undefined && input !== null && typeof input === "object") {
    given = (input as Record<string, unknown>)[issue.discriminator];
  }
  const missing = given === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union");
  const problem: ScenarioProblem = { path: formatPath(issue.path), message: missing ? `missing; ${issue.message}` : issue.message };
  if (!missing && ("input" in issue || given !== undefined)) problem.given = preview(given);
  return [problem];
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = closest(key, known);
  const listed = known.length === 0 ? "check the spelling (the README lists every key)" : `expected one of ${known.slice(0, 20).join(", ")}${known.length > 20 ? ", …" : ""}`;
  return `unknown key ${preview(key)}${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}: ${listed}`;
}

/** The known key nearest to a misspelt one, if it is near (edit distance ≤ 2, or a third of its length). */
export function closest(key: string, known: readonly string[]): string | undefined {
  if (key.length > 64) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** `a.b[0]["linger.ms"]`: dotted where the key is a plain word, bracketed otherwise. */
