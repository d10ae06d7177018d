/**
 * A sweep's plan, made and checked before anything runs: the grid of points
 * from the scenario document's `sweep:` block and the `--set` flags, each
 * point's document validated (a bad value is reported with the point that
 * carries it), each point's seed, and the identities that let results be
 * resumed and merged: `scenarioId` (the document without its sweep block, and
 * the base seed: what a point's result depends on besides its own values) and
 * `gridId` (the parameters and their values).
 */
import { validateScenario, formatProblems } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import type { SweepValue } from "../report/sweep-summary.js";
import { describePoint, gridPoints, gridSize, GRID_POINTS_MAX, sweepParameters, type GridPoint, type SetFlag, type SweepParameter } from "./grid.js";
import { parseParameterPath, setAtPath, type PathSegment } from "./paths.js";
import { derivePointSeed, fingerprint } from "./seed.js";

export interface PlannedPoint extends GridPoint {
  /** The seed this point runs with: the swept `seed` when `seed` is a parameter, else derived from the base seed and the key. */
  seed: number | string;
}

export interface SweepPlan {
  scenario: string;
  system: string;
  /** The scenario document without its `sweep:` block: what every point starts from. */
  document: Record<string, unknown>;
  baseSeed: number | string;
  parameters: SweepParameter[];
  points: PlannedPoint[];
  scenarioId: string;
  gridId: string;
}

export type SweepPlanResult = { ok: true; plan: SweepPlan } | { ok: false; message: string };

/** Failing points listed at most, before "and N more". */
const FAILING_POINTS_SHOWN = 5;

export interface PlanOptions {
  sets?: readonly SetFlag[];
  /** Replaces the scenario's seed as the base every point's seed derives from. */
  seed?: number | string;
}

export function planSweep(document: unknown, options: PlanOptions = {}): SweepPlanResult {
  const base = validateScenario(document);
  if (!base.ok) return { ok: false, message: `the scenario is invalid:\n${formatProblems(base.problems)}` };
  const parameters = sweepParameters(base.scenario.sweep, options.sets ?? []);
  if (!parameters.ok) return { ok: false, message: parameters.message };
  if (parameters.value.length === 0) return { ok: false, message: "nothing to sweep: the scenario has no sweep: block and no --set path=v1,v2 was given" };
  const size = gridSize(parameters.value);
  if (size > GRID_POINTS_MAX) return { ok: false, message: `the grid has ${size} points (${parameters.value.map((p) => `${p.values.length} values of ${p.name}`).join(" × ")}); at most ${GRID_POINTS_MAX} are allowed` };
  const baseDocument = withoutSweep(document as Record<string, unknown>);
  const baseSeed = options.seed ?? base.scenario.seed;
  // Points that fail for the same reason (a path every point shares) are reported once, with a count.
  const failures = new Map<string, { first: string; message: string; count: number }>();
  let failed = 0;
  const points: PlannedPoint[] = [];
  for (const point of gridPoints(parameters.value)) {
    const built = pointScenario(baseDocument, point.parameters);
    if (!built.ok) {
      failed += 1;
      // The same problem with another value given is the same problem.
      const problem = built.message.replace(/ \(given: .*\)$/gm, "");
      const seen = failures.get(problem);
      if (seen !== undefined) seen.count += 1;
      else failures.set(problem, { first: `point ${point.index + 1} (${describePoint(point.parameters)})`, message: built.message, count: 1 });
      continue;
    }
    const sweepsSeed = point.parameters.some((parameter) => parameter.name === "seed");
    points.push({ ...point, seed: sweepsSeed ? built.scenario.seed : derivePointSeed(baseSeed, point.key) });
  }
  if (failed > 0) {
    const shown = [...failures].slice(0, FAILING_POINTS_SHOWN).map(([, { first, message, count }]) => {
      const others = count > 1 ? ` and ${count - 1} other point${count === 2 ? "" : "s"} with the same problem` : "";
      return `${first}${others}:\n${indent(message)}`;
    });
    const unshown = [...failures].slice(FAILING_POINTS_SHOWN).reduce((sum, [, { count }]) => sum + count, 0);
    const more = unshown > 0 ? `\n…and ${unshown} more point${unshown === 1 ? "" : "s"} with other problems` : "";
    // config.min.insync.replicas sets config → min → insync → replicas, which the schema calls an unknown key "min".
    const hint = [...failures.keys()].some((text) => text.includes("unknown key")) ? '\n(a key that contains dots is written in brackets: config["min.insync.replicas"])' : "";
    return { ok: false, message: `${failed} of ${size} sweep points are invalid:\n${shown.join("\n")}${more}${hint}` };
  }
  return {
    ok: true,
    plan: {
      scenario: base.scenario.name,
      system: base.scenario.system,
      document: baseDocument,
      baseSeed,
      parameters: parameters.value,
      points,
      scenarioId: fingerprint({ document: baseDocument, baseSeed }),
      gridId: fingerprint(parameters.value.map((parameter) => [parameter.name, parameter.values])),
    },
  };
}

/** The document a point runs: the base with the point's values set, then validated. */
export function pointScenario(
  baseDocument: Readonly<Record<string, unknown>>,
  parameters: readonly { name: string; value: SweepValue }[],
): { ok: true; scenario: Scenario } | { ok: false; message: string } {
  const document = structuredClone(baseDocument) as Record<string, unknown>;
  for (const parameter of parameters) {
    const set = setAtPath(document, segmentsOf(parameter.name), parameter.value);
    if (!set.ok) return { ok: false, message: `${parameter.name}: ${set.message}` };
  }
  const loaded = validateScenario(document);
  if (!loaded.ok) return { ok: false, message: formatProblems(loaded.problems) };
  return { ok: true, scenario: loaded.scenario };
}

/** A canonical parameter name back to its path (names come from formatParameterPath, so they parse). */
function segmentsOf(name: string): PathSegment[] {
  const parsed = parseParameterPath(name);
  if (!parsed.ok) throw new Error(`sweep parameter ${JSON.stringify(name)} is not a canonical path: ${parsed.message}`);
  return parsed.segments;
}

function withoutSweep(document: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (key !== "sweep") copy[key] = value;
  return structuredClone(copy);
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
