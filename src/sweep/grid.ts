/**
 * A sweep's grid: the swept parameters (the scenario's `sweep:` block, then
 * `--set path=v1,v2,…` flags, a flag replacing the block's values for the
 * same path) and their cartesian product, in a fixed order: parameters as
 * listed, the first varying slowest, values in the order written. Each point
 * has a key, the canonical JSON of its parameter values sorted by name, that
 * identifies it across reruns, shards and grids that list parameters in
 * another order.
 */
import { compareStrings } from "../kernel/order.js";
import type { SweepValue } from "../report/sweep-summary.js";
import { formatParameterPath, parseParameterPath, PARAMETER_PATH_MAX_CHARS, type PathSegment } from "./paths.js";
import { canonicalJson } from "./seed.js";

export interface SweepParameter {
  /** Canonical path text: the parameter's name everywhere. */
  name: string;
  segments: PathSegment[];
  /** Distinct values, in the order written. */
  values: SweepValue[];
}

export interface GridPoint {
  /** Position in the grid (0-based): what shards divide and reports order by. */
  index: number;
  key: string;
  parameters: { name: string; value: SweepValue }[];
}

export interface SetFlag {
  name: string;
  segments: PathSegment[];
  values: SweepValue[];
}

/** More points than a sweep may have: beyond this a typo (a list pasted twice) is likelier than intent. */
export const GRID_POINTS_MAX = 10_000;
const VALUES_MAX = 1_000;

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * `path=v1,v2,…` → the parameter and its values. Values: true/false are
 * booleans, decimal numbers are numbers, anything else is text ("10ms",
 * "all"). A JSON list (`path=["1", "a,b"]`) says exactly what it means when
 * that reading is not wanted.
 */
export function parseSetFlag(text: string): Parsed<SetFlag> {
  const path = parseParameterPath(text, "=");
  if (!path.ok) return { ok: false, message: `--set ${text}: ${path.message}` };
  if (text[path.end] !== "=") return { ok: false, message: `--set ${text}: expected path=value1,value2,… such as cluster.brokers=3,5` };
  const name = formatParameterPath(path.segments);
  const listed = text.slice(path.end + 1);
  const values = listed.trimStart().startsWith("[") ? jsonValues(listed) : textValues(listed);
  if (!values.ok) return { ok: false, message: `--set ${text}: ${values.message}` };
  if (values.value.length > VALUES_MAX) return { ok: false, message: `--set ${text}: expected at most ${VALUES_MAX} values, got ${values.value.length}` };
  return { ok: true, value: { name, segments: path.segments, values: distinct(values.value) } };
}

function textValues(listed: string): Parsed<SweepValue[]> {
  const values: SweepValue[] = [];
  for (const item of listed.split(",")) {
    const trimmed = item.trim();
    if (trimmed === "") return { ok: false, message: "expected a value between each pair of commas (a JSON list such as [\"\"] for an empty text)" };
    if (trimmed === "true" || trimmed === "false") values.push(trimmed === "true");
    else if (/^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(trimmed) && Number.isFinite(Number(trimmed))) values.push(Number(trimmed));
    else values.push(trimmed);
  }
  return { ok: true, value: values };
}

function jsonValues(listed: string): Parsed<SweepValue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(listed);
  } catch {
    return { ok: false, message: `expected a JSON list such as [1, "10ms", true], got ${JSON.stringify(listed)}` };
  }
  const isValue = (item: unknown): item is SweepValue => typeof item === "string" || typeof item === "boolean" || (typeof item === "number" && Number.isFinite(item));
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(isValue)) {
    return { ok: false, message: "expected a non-empty JSON list of numbers, texts and true/false" };
  }
  return { ok: true, value: parsed };
}

/** Values without repeats (a point listed twice would run twice and count twice). */
function distinct(values: readonly SweepValue[]): SweepValue[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = canonicalJson(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The scenario's `sweep:` block, then the flags: a flag for a path already in the block replaces its values in place. */
export function sweepParameters(block: Readonly<Record<string, readonly SweepValue[]>> | undefined, sets: readonly SetFlag[]): Parsed<SweepParameter[]> {
  const parameters: SweepParameter[] = [];
  const byName = new Map<string, SweepParameter>();
  for (const [path, values] of Object.entries(block ?? {})) {
    const parsed = path.length <= PARAMETER_PATH_MAX_CHARS ? parseParameterPath(path) : { ok: false as const, message: `expected at most ${PARAMETER_PATH_MAX_CHARS} characters` };
    if (!parsed.ok) return { ok: false, message: `sweep[${JSON.stringify(path)}]: ${parsed.message}` };
    const name = formatParameterPath(parsed.segments);
    if (byName.has(name)) return { ok: false, message: `sweep[${JSON.stringify(path)}]: the parameter ${name} is listed twice in the sweep block` };
    const parameter = { name, segments: parsed.segments, values: distinct(values) };
    parameters.push(parameter);
    byName.set(name, parameter);
  }
  const flagged = new Set<string>();
  for (const set of sets) {
    if (flagged.has(set.name)) return { ok: false, message: `--set ${set.name}: given twice; list every value in one flag (${set.name}=a,b,c)` };
    flagged.add(set.name);
    const existing = byName.get(set.name);
    if (existing !== undefined) existing.values = [...set.values];
    else {
      const parameter = { name: set.name, segments: [...set.segments], values: [...set.values] };
      parameters.push(parameter);
      byName.set(set.name, parameter);
    }
  }
  for (const parameter of parameters) {
    if (parameter.segments[0] === "sweep") return { ok: false, message: `${parameter.name}: the sweep block itself cannot be swept` };
    const other = parameters.find((candidate) => candidate !== parameter && isPrefix(candidate.segments, parameter.segments));
    // A value for `producers[0]` would replace what `producers[0].rate` sets, or the reverse, depending on order.
    if (other !== undefined) return { ok: false, message: `${parameter.name}: lies inside the swept parameter ${other.name}; sweep one or the other` };
  }
  return { ok: true, value: parameters };
}

function isPrefix(prefix: readonly PathSegment[], path: readonly PathSegment[]): boolean {
  return prefix.length < path.length && prefix.every((segment, k) => segment === path[k]);
}

/** How many points the grid has (the product of the value counts; 1 for no parameters). */
export function gridSize(parameters: readonly SweepParameter[]): number {
  return parameters.reduce((size, parameter) => size * parameter.values.length, 1);
}

/** Every point, the first parameter varying slowest. Callers check gridSize first. */
export function gridPoints(parameters: readonly SweepParameter[]): GridPoint[] {
  const size = gridSize(parameters);
  const points: GridPoint[] = [];
  for (let index = 0; index < size; index += 1) {
    let rest = index;
    const values: SweepValue[] = new Array<SweepValue>(parameters.length);
    for (let k = parameters.length - 1; k >= 0; k -= 1) {
      const count = parameters[k]!.values.length;
      values[k] = parameters[k]!.values[rest % count]!;
      rest = Math.floor(rest / count);
    }
    const assigned = parameters.map((parameter, k) => ({ name: parameter.name, value: values[k]! }));
    points.push({ index, key: pointKey(assigned), parameters: assigned });
  }
  return points;
}

/** A point's identity: its values by parameter name, names in code-unit order. */
export function pointKey(parameters: readonly { name: string; value: SweepValue }[]): string {
  const sorted = [...parameters].sort((a, b) => compareStrings(a.name, b.name));
  return canonicalJson(sorted.map((parameter) => [parameter.name, parameter.value]));
}

/** "brokers=3, acks=all": a point for people. */
export function describePoint(parameters: readonly { name: string; value: SweepValue }[]): string {
  return parameters.map((parameter) => `${parameter.name}=${typeof parameter.value === "string" ? parameter.value : JSON.stringify(parameter.value)}`).join(", ");
}
