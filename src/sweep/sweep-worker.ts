/**
 * The worker-thread entry of a parallel sweep (tinypool loads it and calls the
 * default export once per point). Built to dist/sweep/sweep-worker.js; when
 * mqsim runs from its TypeScript sources, ts-worker-bootstrap.mjs loads this
 * file through tsx instead.
 */
import type { SweepPoint } from "../report/sweep-summary.js";
import { runSweepPoint, type PointTask } from "./run-point.js";

export default function runPointInWorker(task: PointTask): SweepPoint {
  return runSweepPoint(task);
}
