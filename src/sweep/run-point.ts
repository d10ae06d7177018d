/**
 * One sweep point, start to finish: the base document with the point's values
 * set, validated, run with the point's seed, reduced to a SweepPoint with its
 * bottleneck named. The same function runs in a worker thread and in process,
 * so where a point ran never changes what it produced.
 */
import { sweepPointFromRun, type SweepPoint, type SweepValue } from "../report/sweep-summary.js";
import { runScenario } from "../scenario/run-scenario.js";
import { nameBottleneck } from "./bottleneck.js";
import { pointScenario } from "./plan.js";

/** Plain JSON, so it crosses to a worker thread as it is. */
export interface PointTask {
  document: Record<string, unknown>;
  parameters: { name: string; value: SweepValue }[];
  seed: number | string;
}

export function runSweepPoint(task: PointTask): SweepPoint {
  const built = pointScenario(task.document, task.parameters);
  // The plan validated every point before any ran; failing here means the document changed underneath.
  if (!built.ok) throw new Error(`sweep point is invalid: ${built.message}`);
  const { summary } = runScenario(built.scenario, task.seed);
  return sweepPointFromRun(task.parameters, summary, nameBottleneck(built.scenario, summary));
}
