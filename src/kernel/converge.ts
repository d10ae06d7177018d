/**
 * The liveness half of a run, shared by every system: after the fault phase,
 * run on in steps of `pollNs` until the system reports nothing left to wait
 * for (converged), or the deadline or a budget ends the run. Safety and
 * liveness are reported apart: a run can lose nothing and still not converge.
 */
import type { RunResult, Scheduler } from "./scheduler.js";
import type { TimeNs } from "./time.js";

export interface Liveness {
  isConverged: boolean;
  /** Virtual time at which convergence was first seen (-1 if never). */
  convergedAtNs: TimeNs;
  /** Why the run had not converged when it ended (empty when it did). */
  reasons: string[];
}

export interface ConvergeOptions {
  deadlineNs: TimeNs;
  pollNs: number;
  /** What the system is still waiting for; converged when empty. */
  pendingReasons: () => string[];
}

/** Why a run that ended early ended, in words a scenario's author can act on. */
const STOP_EXPLANATIONS: Partial<Record<RunResult["reason"], string>> = {
  "events-budget": "the run used up its events budget (budgets.maxEvents, --max-events) before it could converge",
  "memory-budget": "the run's history reached its memory budget (budgets.maxMemory, --max-memory) before it could converge",
  "time-budget": "the run reached its last virtual instant (duration + budgets.convergeWithin)",
  "no-progress": "the run stopped making progress: too many events at one virtual instant",
};

/** Runs from `first` (the fault phase's result) until converged; returns the liveness and the last run result. */
export function runUntilConverged(scheduler: Scheduler, first: RunResult, options: ConvergeOptions): { liveness: Liveness; result: RunResult } {
  let result = first;
  const liveness: Liveness = { isConverged: false, convergedAtNs: -1, reasons: [] };
  while (result.reason === "time-reached" || result.reason === "idle") {
    const reasons = options.pendingReasons();
    if (reasons.length === 0) {
      liveness.isConverged = true;
      liveness.convergedAtNs = scheduler.now;
      break;
    }
    liveness.reasons = reasons;
    if (scheduler.now >= options.deadlineNs) break;
    result = scheduler.run({ untilNs: Math.min(options.deadlineNs, scheduler.now + options.pollNs) });
  }
  if (liveness.isConverged) liveness.reasons = [];
  else if (result.reason !== "time-reached" && result.reason !== "idle") liveness.reasons.push(STOP_EXPLANATIONS[result.reason] ?? `run ended with ${result.reason}`);
  return { liveness, result };
}
