/**
 * One sweep point, start to finish: the base document with the point's values
 * set, validated, run with the point's seed, reduced to a SweepPoint with its
 * bottleneck named (and, when asked, its own run report written). The same function runs in a worker thread and in process,
 * so where a point ran never changes what it produced.
 */
import { sweepPointFromRun, type SweepPoint, type SweepValue } from "../report/sweep-summary.js";
import { runScenario } from "../scenario/run-scenario.js";
import type { RunSummary } from "../report/run-summary.js";
import { writeRunReport } from "../report/write-run-report.js";
import { nameBottleneck } from "./bottleneck.js";
import { pointScenario } from "./plan.js";

/** Plain JSON, so it crosses to a worker thread as it is. */
export interface PointTask {
  document: Record<string, unknown>;
  parameters: { name: string; value: SweepValue }[];
  seed: number | string;
  /** Where to write the point's own run report (as `mqsim run --out` would), if anywhere. */
  reportDir?: string;
}

export function runSweepPoint(task: PointTask): SweepPoint {
  return runPoint(task).point;
}

/** The point, and its run report written to task.reportDir when there is one (where the point ran: a worker renders its own charts). */
export async function runSweepPointWithReport(task: PointTask): Promise<SweepPoint> {
  const { point, summary } = runPoint(task);
  if (task.reportDir !== undefined) await writeRunReport(task.reportDir, summary);
  return point;
}

function runPoint(task: PointTask): { point: SweepPoint; summary: RunSummary } {
  const built = pointScenario(task.document, task.parameters);
  // The plan validated every point before any ran; failing here means the document changed underneath.
  if (!built.ok) throw new Error(`sweep point is invalid: ${built.message}`);
  const { summary } = runScenario(built.scenario, task.seed);
  return { point: sweepPointFromRun(task.parameters, summary, nameBottleneck(built.scenario, summary)), summary };
}

/** A point's report folder inside a sweep's points/ folder: p1, p2, … in grid order. */
export function pointFolderName(index: number): string {
  return `p${index + 1}`;
}
