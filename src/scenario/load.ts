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
import { describeRawIssue, tightestBounds, toProblems } from "./issue-messages.js";
import { formatPath, GIVEN_MAX_CHARS, preview, type ScenarioProblem } from "./problem.js";
import { describeRequiredKeys, scenarioSchema, type Scenario } from "./schema.js";

export { formatPath, formatProblems, preview, type ScenarioProblem } from "./problem.js";

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
const PARSE_ERRORS_MAX = 10;

/** Budgets given apart from the document (the CLI's --max-events, --max-memory): they replace the document's own. */
export interface BudgetOverrides {
  maxEvents?: number;
  /** Bytes, or a size as a scenario file writes it ("4GiB"). */
  maxMemory?: number | string;
}

/** The document with `overrides` set in its `budgets` block (a copy; a document that is not a mapping is returned as it is). */
export function withBudgetOverrides(document: unknown, overrides: BudgetOverrides = {}): unknown {
  if (overrides.maxEvents === undefined && overrides.maxMemory === undefined) return document;
  if (document === null || typeof document !== "object" || Array.isArray(document)) return document;
  const record = document as Record<string, unknown>;
  const budgets = record["budgets"] !== null && typeof record["budgets"] === "object" && !Array.isArray(record["budgets"]) ? (record["budgets"] as Record<string, unknown>) : {};
  return { ...record, budgets: { ...budgets, ...(overrides.maxEvents === undefined ? {} : { maxEvents: overrides.maxEvents }), ...(overrides.maxMemory === undefined ? {} : { maxMemory: overrides.maxMemory }) } };
}

export function loadScenarioText(text: string, source = "scenario", overrides: BudgetOverrides = {}): ScenarioLoad {
  if (typeof text !== "string") return fail("", `expected the text of a YAML or JSON document (${source})`, text);
  if (text.length > SCENARIO_TEXT_MAX_CHARS) return fail("", `expected a document of at most ${SCENARIO_TEXT_MAX_CHARS} characters, got ${text.length} (${source})`);
  const read = readYaml(text, source);
  if (!read.ok) return read;
  return validateScenario(withBudgetOverrides(read.document, overrides));
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
    return fail("", `expected a mapping with at least ${describeRequiredKeys()}`, document);
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

function fail(path: string, message: string, given?: unknown): { ok: false; problems: ScenarioProblem[] } {
  const problem: ScenarioProblem = { path, message };
  if (given !== undefined) problem.given = preview(given);
  return { ok: false, problems: [problem] };
}
