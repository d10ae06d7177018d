/**
 * Loading a scenario: text (YAML or JSON) → validated Scenario, or every
 * problem found, each with the path of the bad field, what was expected and
 * what was given. Never throws on bad input: hostile documents (aliases that
 * explode, deep nesting, huge numbers, unknown keys) come back as problems.
 *
 * Reading is bounded before the YAML library sees the text: its size, its
 * nesting (estimated from the token stream, so "[[[[…" 100 000 deep fails in
 * microseconds instead of overflowing the stack), and duplicate keys are found
 * in one pass over the syntax tree (the library's own check is quadratic in
 * the number of keys of a mapping).
 */
import { CST, isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Document, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { scenarioSchema, type Scenario } from "./schema.js";

export interface ScenarioProblem {
  /** Where, as a path: `producers[0].config["linger.ms"]` ("" for the document itself). */
  path: string;
  /** What is wrong, saying what was expected. */
  message: string;
  /** What was given there, shortened (absent when nothing was). */
  given?: string;
}

export type ScenarioLoad = { ok: true; scenario: Scenario } | { ok: false; problems: ScenarioProblem[] };

/** Documents larger than this are refused before parsing. */
export const SCENARIO_TEXT_MAX_CHARS = 1_000_000;
/** Collections inside collections, at most (a scenario needs about 7). */
export const SCENARIO_NESTING_MAX = 64;
/** Expansions of any one YAML anchor through aliases, nested aliases multiplying (the yaml library's maxAliasCount); past this a document is taken for an alias bomb. */
export const SCENARIO_ALIAS_MAX = 100;
/**
 * Values in a document at most, counting each use of a YAML alias in full:
 * a thousand anchors each used a hundred times pass the per-anchor alias
 * limit yet expand a megabyte into millions of values to check.
 */
export const SCENARIO_VALUES_MAX = 1_000_000;
/** Problems listed at most; the rest are counted in a last line. */
export const SCENARIO_PROBLEMS_MAX = 100;
const GIVEN_MAX_CHARS = 80;
const PARSE_ERRORS_MAX = 10;

export function loadScenarioText(text: string, source = "scenario"): ScenarioLoad {
  if (typeof text !== "string") return fail("", `expected the text of a YAML or JSON document (${source})`, text);
  if (text.length > SCENARIO_TEXT_MAX_CHARS) return fail("", `expected a document of at most ${SCENARIO_TEXT_MAX_CHARS} characters, got ${text.length} (${source})`);
  const read = readYaml(text, source);
  if (!read.ok) return read;
  return validateScenario(read.document);
}

type YamlRead = { ok: true; document: unknown } | { ok: false; problems: ScenarioProblem[] };

/** YAML (JSON is YAML; one parser for both) → a plain JavaScript value, or what stops it being read. */
function readYaml(text: string, source: string): YamlRead {
  if (nestingExceeds(text, SCENARIO_NESTING_MAX)) {
    return fail("", `expected a document nested at most ${SCENARIO_NESTING_MAX} levels deep (a scenario needs about 7), but ${source} nests deeper`);
  }
  const lines = new LineCounter();
  let doc: Document.Parsed;
  try {
    // uniqueKeys off: duplicates are found below in linear time. logLevel "error": warnings (an unknown tag) are not printed.
    doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, logLevel: "error" });
  } catch (error) {
    return fail("", unreadable(error, source));
  }
  if (doc.errors.length > 0) {
    const problems = doc.errors.slice(0, PARSE_ERRORS_MAX).map((error): ScenarioProblem => {
      const { line, col } = lines.linePos(error.pos[0]);
      const problem: ScenarioProblem = { path: "", message: `expected YAML or JSON, but ${source} does not parse at line ${line}, column ${col}: ${firstLine(error.message)}` };
      const lineText = lineAt(text, lines, line);
      if (lineText !== "") problem.given = preview(lineText);
      return problem;
    });
    return { ok: false, problems };
  }
  const duplicates = duplicateKeys(doc.contents, lines);
  if (duplicates.length > 0) return { ok: false, problems: duplicates };
  try {
    return { ok: true, document: doc.toJS({ maxAliasCount: SCENARIO_ALIAS_MAX }) };
  } catch (error) {
    return fail("", unreadable(error, source));
  }
}

/** A message for what the YAML library threw (it throws on aliases; a stack overflow is a last resort). */
function unreadable(error: unknown, source: string): string {
  const text = error instanceof Error ? firstLine(error.message) : String(error);
  if (error instanceof RangeError || /call stack/i.test(text)) return `expected a document of reasonable depth; ${source} nests too deeply to read`;
  if (/excessive alias count/i.test(text)) {
    return `expected at most ${SCENARIO_ALIAS_MAX} expansions of any one YAML anchor (&name) through aliases (*name), nested aliases multiplying, but ${source} has more (an alias bomb?)`;
  }
  if (/unresolved alias/i.test(text)) return `expected every YAML alias (*name) to follow its anchor (&name), but ${source} has ${text.replace(/^Unresolved alias \(the anchor must be set before the alias\): /, "an alias without one: *")}`;
  return `expected YAML or JSON, but ${source} does not parse: ${text}`;
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

function lineAt(text: string, lines: LineCounter, line: number): string {
  const start = lines.lineStarts[line - 1];
  if (start === undefined) return "";
  const end = text.indexOf("\n", start);
  return text.slice(start, end === -1 ? Math.min(text.length, start + GIVEN_MAX_CHARS * 2) : Math.min(end, start + GIVEN_MAX_CHARS * 2)).trimEnd();
}

/**
 * Whether the document may nest deeper than `max` collections, judged from
 * its tokens before anything is built: open flow brackets, plus the
 * indentation levels of block lines, plus the block indicators (`- `, `? `,
 * `: `) on the current line. The estimate may count a level twice (a `:`
 * whose value starts on the next line) or miss one (a list at its key's own
 * column), so it is within a factor of two of the true depth: a scenario
 * (about 7 deep) stays far below the limit, and anything that passes is
 * shallow enough for the parser's recursion.
 */
function nestingExceeds(text: string, max: number): boolean {
  let flow = 0;
  let indicators = 0;
  let lineStart = true;
  let column = 0;
  const columns: number[] = [];
  /** The next token is a scalar's own text; "block" when it is a block scalar's lines (which end their last line). */
  let scalarContent: "no" | "inline" | "block" = "no";
  let blockScalarHeader = false;
  for (const token of new Lexer().lex(text)) {
    if (scalarContent !== "no") {
      if (scalarContent === "block") {
        lineStart = true;
        column = 0;
        indicators = 0;
      }
      scalarContent = "no";
      continue;
    }
    const type = CST.tokenType(token);
    if (type === "newline") {
      lineStart = true;
      column = 0;
      indicators = 0;
      continue;
    }
    if (type === "space" || type === "comment" || type === "byte-order-mark" || type === "doc-mode") {
      if (lineStart && type === "space") column = token.length;
      continue;
    }
    if (type === "scalar" && blockScalarHeader) {
      blockScalarHeader = false;
      scalarContent = "block";
      continue;
    }
    if (lineStart) {
      lineStart = false;
      if (flow === 0) {
        while (columns.length > 0 && columns[columns.length - 1]! > column) columns.pop();
        if (columns.length === 0 || columns[columns.length - 1]! < column) columns.push(column);
      }
    }
    if (type === "scalar") scalarContent = "inline";
    else if (type === "block-scalar-header") blockScalarHeader = true;
    else if (type === "flow-map-start" || type === "flow-seq-start") flow += 1;
    else if (type === "flow-map-end" || type === "flow-seq-end") flow = Math.max(0, flow - 1);
    else if (flow === 0 && (type === "seq-item-ind" || type === "explicit-key-ind" || type === "map-value-ind")) indicators += 1;
    if (flow + columns.length + indicators > max) return true;
  }
  return false;
}

/** Keys that appear twice in one mapping, each reported at its own path (one pass over the syntax tree, no alias expansion). */
function duplicateKeys(root: YamlNode | null, lines: LineCounter): ScenarioProblem[] {
  const problems: ScenarioProblem[] = [];
  const stack: { node: unknown; path: PropertyKey[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0 && problems.length < SCENARIO_PROBLEMS_MAX) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        if (key === undefined || key === null || typeof key === "object") continue;
        // 1 and "1" are one key once in a JavaScript object, so they count as the same here.
        const name = String(key);
        if (seen.has(name)) {
          const at = isScalar(pair.key) && pair.key.range !== undefined && pair.key.range !== null ? lines.linePos(pair.key.range[0]).line : 0;
          problems.push({ path: formatPath([...path, name]), message: `expected each key once in a mapping, but ${JSON.stringify(name)} appears again${at > 0 ? ` at line ${at}` : ""}`, given: preview(name) });
        }
        seen.add(name);
        stack.push({ node: pair.value, path: [...path, name] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, n) => stack.push({ node: item, path: [...path, n] }));
    }
  }
  return problems;
}

/** Validates an already-parsed document (a JavaScript object). */
export function validateScenario(document: unknown): ScenarioLoad {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    return fail("", "expected a mapping with at least `system`, `duration`, `cluster` and `topics`", document);
  }
  if (valuesExceed(document, SCENARIO_VALUES_MAX)) {
    return fail("", `expected a document of at most ${SCENARIO_VALUES_MAX} values once YAML aliases are expanded, but it has more (an alias bomb?)`);
  }
  const knownKeys = new Map<unknown, string[]>();
  let result: ReturnType<typeof scenarioSchema.safeParse>;
  try {
    result = scenarioSchema.safeParse(document, { reportInput: true, error: (issue) => describeRawIssue(issue, knownKeys) });
  } catch (error) {
    if (error instanceof RangeError) return fail("", "expected a document of reasonable size and depth; it is too large or nests too deeply to check");
    throw error;
  }
  if (result.success) return { ok: true, scenario: result.data };
  // Problems are described only up to the limit (an unknown key costs a "did you mean"); the rest are counted.
  const problems: ScenarioProblem[] = [];
  let more = 0;
  for (const issue of tightestBounds(result.error.issues)) {
    const room = SCENARIO_PROBLEMS_MAX - problems.length;
    if (issue.code === "unrecognized_keys" && issue.keys.length > room) {
      problems.push(...toProblems({ ...issue, keys: issue.keys.slice(0, Math.max(0, room)) }, knownKeys));
      more += issue.keys.length - Math.max(0, room);
    } else if (room > 0) problems.push(...toProblems(issue, knownKeys));
    else more += 1;
  }
  if (more > 0 || problems.length > SCENARIO_PROBLEMS_MAX) {
    more += problems.length - (SCENARIO_PROBLEMS_MAX - 1);
    problems.splice(SCENARIO_PROBLEMS_MAX - 1, Infinity, { path: "", message: `expected fewer problems: at least ${more} more like the ones above are not listed` });
  }
  return { ok: false, problems };
}

/**
 * Whether a value holds more than `max` values (objects, arrays and leaves),
 * counting a shared object at each place it appears, without following a
 * cycle. Iterative, and stops as soon as the count passes `max`.
 */
function valuesExceed(root: unknown, max: number): boolean {
  let count = 0;
  const onPath = new Set<object>();
  // A `leave` entry marks the end of an object's children: it is no longer an ancestor.
  const stack: { value: unknown; leave: boolean }[] = [{ value: root, leave: false }];
  while (stack.length > 0) {
    const { value, leave } = stack.pop()!;
    if (leave) {
      onPath.delete(value as object);
      continue;
    }
    count += 1;
    if (count > max) return true;
    if (value === null || typeof value !== "object" || onPath.has(value)) continue;
    onPath.add(value);
    stack.push({ value, leave: true });
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push({ value: child, leave: false });
  }
  return false;
}

type RawIssue = z.core.$ZodRawIssue;

/** Of several bounds broken at one path (an integer's safe range, then the field's own range), only the tightest. */
function tightestBounds(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
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
function describeRawIssue(issue: RawIssue, knownKeys: Map<unknown, string[]>): string | undefined {
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
function toProblems(issue: z.core.$ZodIssue, knownKeys: Map<unknown, string[]>): ScenarioProblem[] {
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
function closest(key: string, known: readonly string[]): string | undefined {
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
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && key.length <= GIVEN_MAX_CHARS && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key).length > GIVEN_MAX_CHARS ? `${String(key).slice(0, GIVEN_MAX_CHARS - 1)}…` : String(key))}]`;
  }
  return out;
}

/**
 * A value as compact JSON-like text of at most GIVEN_MAX_CHARS characters.
 * Bounded in time and depth whatever it is given (cycles from YAML aliases,
 * megabyte strings, NaN, -0, bigints), and never throws.
 */
export function preview(value: unknown): string {
  const parts: string[] = [];
  let length = 0;
  const seen = new Set<object>();
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length <= GIVEN_MAX_CHARS;
  };
  const write = (item: unknown, depth: number): boolean => {
    if (item === null || item === undefined || typeof item === "boolean") return emit(String(item));
    if (typeof item === "number") return emit(Object.is(item, -0) ? "-0" : String(item));
    if (typeof item === "bigint") return emit(`${item}n`);
    if (typeof item === "string") return emit(JSON.stringify(item.length > GIVEN_MAX_CHARS ? item.slice(0, GIVEN_MAX_CHARS) : item) + (item.length > GIVEN_MAX_CHARS ? "…" : ""));
    if (typeof item !== "object") return emit(`[${typeof item}]`);
    if (seen.has(item)) return emit("[circular]");
    if (depth >= 8) return emit(Array.isArray(item) ? "[…]" : "{…}");
    seen.add(item);
    try {
      if (Array.isArray(item)) {
        if (!emit("[")) return false;
        for (let n = 0; n < item.length; n += 1) {
          if ((n > 0 && !emit(",")) || !write(item[n], depth + 1)) return false;
        }
        return emit("]");
      }
      const prototype: unknown = Object.getPrototypeOf(item);
      if (prototype !== Object.prototype && prototype !== null) return emit(Object.prototype.toString.call(item));
      if (!emit("{")) return false;
      let first = true;
      for (const key of Object.keys(item)) {
        if ((!first && !emit(",")) || !emit(`${JSON.stringify(key)}:`) || !write((item as Record<string, unknown>)[key], depth + 1)) return false;
        first = false;
      }
      return emit("}");
    } finally {
      seen.delete(item);
    }
  };
  try {
    write(value, 0);
  } catch {
    return Object.prototype.toString.call(value);
  }
  const text = parts.join("");
  return text.length > GIVEN_MAX_CHARS ? `${text.slice(0, GIVEN_MAX_CHARS - 1)}…` : text;
}

function fail(path: string, message: string, given?: unknown): { ok: false; problems: ScenarioProblem[] } {
  const problem: ScenarioProblem = { path, message };
  if (given !== undefined) problem.given = preview(given);
  return { ok: false, problems: [problem] };
}

/** Problems as lines for a terminal: `producers[0].rate: expected a rate such as "5k/s" (given: "fast")`. */
export function formatProblems(problems: readonly ScenarioProblem[]): string {
  return problems.map((problem) => `${problem.path === "" ? "(document)" : problem.path}: ${problem.message}${problem.given === undefined ? "" : ` (given: ${problem.given})`}`).join("\n");
}
