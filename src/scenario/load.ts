/**
 * Loading a scenario: text (YAML or JSON) → validated Scenario, or every
 * problem found, each with the path of the bad field, what was expected and
 * what was given. Never throws on bad input: hostile documents (aliases that
 * explode, deep nesting, huge numbers, unknown keys) come back as problems.
 */
import { parse as parseYaml, YAMLParseError } from "yaml";
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
const GIVEN_MAX_CHARS = 80;

export function loadScenarioText(text: string, source = "scenario"): ScenarioLoad {
  if (text.length > SCENARIO_TEXT_MAX_CHARS) return fail("", `expected a document of at most ${SCENARIO_TEXT_MAX_CHARS} characters, got ${text.length} (${source})`);
  let document: unknown;
  try {
    // JSON is YAML; one parser for both. Aliases are capped so "billion laughs" documents fail fast.
    document = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    if (error instanceof YAMLParseError) return fail("", `expected YAML or JSON, but ${source} does not parse: ${error.message.split("\n")[0]}`);
    if (error instanceof RangeError) return fail("", `expected a document of reasonable depth; ${source} nests too deeply to read`);
    throw error;
  }
  return validateScenario(document);
}

/** Validates an already-parsed document (a JavaScript object). */
export function validateScenario(document: unknown): ScenarioLoad {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    return fail("", "expected a mapping with at least `system`, `duration`, `cluster` and `topics`", document);
  }
  let result: ReturnType<typeof scenarioSchema.safeParse>;
  try {
    result = scenarioSchema.safeParse(document, { reportInput: true });
  } catch (error) {
    if (error instanceof RangeError) return fail("", "expected a document of reasonable depth; it nests too deeply to check");
    throw error;
  }
  if (result.success) return { ok: true, scenario: result.data };
  return { ok: false, problems: result.error.issues.map(toProblem) };
}

function toProblem(issue: z.core.$ZodIssue): ScenarioProblem {
  const problem: ScenarioProblem = { path: formatPath(issue.path), message: describeIssue(issue) };
  // An unknown key's "input" is the whole object around it: the key names say enough.
  if (issue.code !== "unrecognized_keys" && "input" in issue && issue.input !== undefined) problem.given = shorten(issue.input);
  return problem;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys":
      return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => JSON.stringify(key)).join(", ")} (check the spelling; the README lists every key)`;
    case "invalid_union":
      return issue.message === "Invalid input" ? "expected one of the documented forms of this field" : issue.message;
    default:
      return issue.message;
  }
}

/** `a.b[0]["linger.ms"]`: dotted where the key is a plain word, bracketed otherwise. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function shorten(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > GIVEN_MAX_CHARS ? `${text.slice(0, GIVEN_MAX_CHARS - 1)}…` : text;
}

function fail(path: string, message: string, given?: unknown): ScenarioLoad {
  const problem: ScenarioProblem = { path, message };
  if (given !== undefined) problem.given = shorten(given);
  return { ok: false, problems: [problem] };
}

/** Problems as lines for a terminal: `producers[0].rate: expected a rate such as "5k/s", got "fast" (given: "fast")`. */
export function formatProblems(problems: readonly ScenarioProblem[]): string {
  return problems.map((problem) => `${problem.path === "" ? "(document)" : problem.path}: ${problem.message}${problem.given === undefined ? "" : ` (given: ${problem.given})`}`).join("\n");
}
