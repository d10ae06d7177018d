/**
 * The worker-thread entry of a parallel sweep (tinypool loads it and calls the
 * default export once per point). Built to dist/sweep/sweep-worker.js; when
 * mqsim runs from its TypeScript sources, ts-worker-bootstrap.mjs loads this
 * file through tsx instead.
 */
import type { SweepPoint } from "../report/sweep-summary.js";
import { runCheckTask, type CheckSliceResult, type CheckTask } from "./check-task.js";
import { runSweepPointWithReport, type PointTask } from "./run-point.js";

/** A sweep point (with its run report, if asked), or one slice of a parallel check (mqsim check --workers). */
export default async function runPointInWorker(task: PointTask | CheckTask): Promise<SweepPoint | CheckSliceResult> {
  if ("kind" in task && task.kind === "check") return runCheckTask(task);
  return runSweepPointWithReport(task as PointTask);
}
