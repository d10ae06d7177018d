/**
 * A scenario must fit its own budgets: the events its run will take
 * (budgets.maxEvents) and the memory its history and state will fill
 * (budgets.maxMemory), both estimated before anything runs (run-estimate.ts).
 * One that does not is bad input, refused at the budget's path with the
 * estimate and what to change — not a run that goes on for minutes and dies
 * of out-of-memory. The run itself still stops at either budget, in case the
 * estimate errs low.
 */
import { BASELINE_BYTES, HISTORY_BYTES_PER_RECORD, type RunEstimate } from "./run-estimate.js";
import type { IssueAt } from "./schema-parts.js";
import { formatDurationNs } from "./units.js";

interface Budgeted {
  duration: number;
  budgets: { maxEvents: number; maxMemory: number };
}

/** Reports each budget the estimate of the scenario's run goes past. */
export function checkBudgets(scenario: Budgeted, estimate: RunEstimate, issue: IssueAt): void {
  const { maxEvents, maxMemory } = scenario.budgets;
  const shrink = `shorten duration (${formatDurationNs(scenario.duration)}) or lower the rates`;
  if (estimate.events > maxEvents) {
    const background = estimate.backgroundEvents >= estimate.events / 2 ? `, ${formatCount(estimate.backgroundEvents)} of them background (fetch loops, heartbeats, Raft ticks) however little is sent` : "";
    issue(
      ["budgets", "maxEvents"],
      `expected a budget for the ~${formatCount(estimate.events)} events this run is estimated to take (${formatCount(estimate.batches)} batches${background}); ${shrink}, or raise budgets.maxEvents (--max-events)`,
      maxEvents,
    );
  }
  if (estimate.memoryBytes > maxMemory) {
    issue(
      ["budgets", "maxMemory"],
      `expected room for the ~${formatBytes(estimate.memoryBytes)} this run is estimated to fill (${formatCount(estimate.historyRecords)} history records); ${shrink}, or raise budgets.maxMemory (--max-memory) on a machine that has it`,
      formatBytes(maxMemory),
    );
  }
}

/** History records a run may keep within `maxMemoryBytes`, leaving half again for the state beside them (logs, queues). */
export function historyRecordsMaxFor(maxMemoryBytes: number): number {
  return Math.max(1_000, Math.floor((maxMemoryBytes - BASELINE_BYTES) / (HISTORY_BYTES_PER_RECORD * 1.5)));
}

function formatCount(count: number): string {
  if (count >= 1e9) return `${(count / 1e9).toFixed(1)} billion`;
  if (count >= 1e6) return `${(count / 1e6).toFixed(1)} million`;
  if (count >= 1e4) return `${Math.round(count / 1e3)} thousand`;
  return `${Math.round(count)}`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1_073_741_824) return `${(bytes / 1_073_741_824).toFixed(1)}GiB`;
  return `${Math.round(bytes / 1_048_576)}MiB`;
}
