export { assert, assertInteger, assertNonNegativeInteger, SimulatorBug, unreachable } from "./assert.js";
export { Digest64, stringFingerprint } from "./digest.js";
export { distribution, standardNormal, type Distribution, type DistributionSpec } from "./distribution.js";
export { EventQueue, NO_EVENT, SLOT_LIMIT, type EventFn, type EventHandle, type TieBreaker } from "./event-queue.js";
export { Kernel, type KernelOptions } from "./kernel.js";
export { Marks } from "./marks.js";
export { Rng, RngStream } from "./rng.js";
export {
  DEFAULT_BUDGETS,
  isBudgetExhausted,
  ROOT_GROUP,
  Scheduler,
  type Budgets,
  type GroupId,
  type RunOptions,
  type RunResult,
  type SchedulerOptions,
  type StopReason,
} from "./scheduler.js";
export {
  assertDuration,
  formatNs,
  microseconds,
  milliseconds,
  NS_PER_MS,
  NS_PER_SEC,
  NS_PER_US,
  seconds,
  type DurationNs,
  type TimeNs,
} from "./time.js";
export { Trace, TraceName, type TraceOptions, type TraceRecord } from "./trace.js";
export { compareStrings } from "./order.js";
export { RingQueue } from "./ring-queue.js";
export { runUntilConverged, type ConvergeOptions, type Liveness } from "./converge.js";
export { growFloat64, growInt32, nextPowerOfTwo } from "./typed-array-growth.js";
