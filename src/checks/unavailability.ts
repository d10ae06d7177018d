/**
 * Unavailability windows, from op-failed / op-ok events per (client, op). A
 * window opens at a failure when the client's last word on that op was a
 * success (or nothing yet), and closes at its next success; a window still
 * open at the end of the history closes there (marked open). Reported per op:
 * the windows, their union over clients as total time (three producers down
 * for the same 4 s make 4 s, not 12), and the longest window.
 *
 * A measurement, not a verdict: ok unless `maxUnavailableNs` is given, in
 * which case every window longer than it is a violation, visible at the first
 * event after the window had lasted that long.
 */
import type { History } from "../history/history.js";
import type { DurationNs, TimeNs } from "../kernel/time.js";
import { endOfHistory } from "./history-end.js";
import { unionNs } from "./interval-union.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { formatSeconds, plural } from "./wording.js";

export const UNAVAILABLE_OPS = ["send", "receive"] as const;
export type UnavailableOp = (typeof UNAVAILABLE_OPS)[number];

export interface UnavailabilityWindow {
  client: string;
  op: UnavailableOp;
  startNs: TimeNs;
  endNs: TimeNs;
  durationNs: DurationNs;
  /** The op-failed event that opened it. */
  startEventIndex: number;
  /** The op-ok event that closed it; -1 if it was still open at the end. */
  endEventIndex: number;
  failures: number;
}

export interface UnavailabilityOptions {
  /** Windows longer than this are violations; without it the check always passes. */
  maxUnavailableNs?: DurationNs;
  /** How many windows the result lists (earliest first); counts cover all. Default 1000. */
  windowsKept?: number;
}

export interface UnavailabilityResult extends CheckResult {
  /** Earliest first (by start, then client, then op); at most `windowsKept`. */
  windows: UnavailabilityWindow[];
  longest: Record<UnavailableOp, UnavailabilityWindow | null>;
}

const WINDOWS_KEPT = 1000;

export function checkUnavailability(history: History, options: UnavailabilityOptions = {}): UnavailabilityResult {
  const windows = findUnavailabilityWindows(history);
  windows.sort(byStart);
  const counts: Record<string, number> = {};
  const longest: Record<UnavailableOp, UnavailabilityWindow | null> = { send: null, receive: null };
  for (const op of UNAVAILABLE_OPS) {
    const mine = windows.filter((w) => w.op === op);
    let failures = 0;
    for (const w of mine) {
      failures += w.failures;
      const top = longest[op];
      if (top === null || w.durationNs > top.durationNs) longest[op] = w;
    }
    counts[`${op}Windows`] = mine.length;
    counts[`${op}Failures`] = failures;
    counts[`${op}UnavailableNs`] = unionNs(mine);
    counts[`${op}LongestNs`] = longest[op]?.durationNs ?? 0;
  }
  const violations = new ViolationList();
  const limit = options.maxUnavailableNs;
  if (limit !== undefined) {
    for (const w of windows) if (w.durationNs > limit) offerTooLong(history, w, limit, violations);
  }
  const result = violations.result("unavailability", counts);
  return { ...result, windows: windows.slice(0, options.windowsKept ?? WINDOWS_KEPT), longest };
}

/** Every client's windows (op-failed … op-ok), in no particular order. */
export function findUnavailabilityWindows(history: History): UnavailabilityWindow[] {
  // Open windows per op, then per client: keyed by the events' own strings, so no key is built per event.
  const open = new Map<UnavailableOp, Map<string, UnavailabilityWindow>>();
  const closed: UnavailabilityWindow[] = [];
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "op-failed" && e.type !== "op-ok") continue;
    let byClient = open.get(e.op);
    if (byClient === undefined) {
      byClient = new Map();
      open.set(e.op, byClient);
    }
    const window = byClient.get(e.client);
    if (e.type === "op-failed") {
      if (window !== undefined) {
        window.failures++;
        continue;
      }
      byClient.set(e.client, { client: e.client, op: e.op, startNs: e.timeNs, endNs: e.timeNs, durationNs: 0, startEventIndex: i, endEventIndex: -1, failures: 1 });
    } else if (window !== undefined) {
      closed.push({ ...window, endNs: e.timeNs, durationNs: e.timeNs - window.startNs, endEventIndex: i });
      byClient.delete(e.client);
    }
  }
  const endNs = endOfHistory(history).timeNs;
  // The caller sorts windows by (start, client, op, event): the order they are listed in here does not matter.
  for (const byClient of open.values()) {
    for (const window of byClient.values()) closed.push({ ...window, endNs, durationNs: endNs - window.startNs });
  }
  return closed;
}

function byStart(a: UnavailabilityWindow, b: UnavailabilityWindow): number {
  if (a.startNs !== b.startNs) return a.startNs - b.startNs;
  if (a.client !== b.client) return a.client < b.client ? -1 : 1;
  if (a.op !== b.op) return a.op < b.op ? -1 : 1;
  return a.startEventIndex - b.startEventIndex;
}

function offerTooLong(history: History, w: UnavailabilityWindow, limit: DurationNs, violations: ViolationList): void {
  const eventIndex = firstEventAfter(history, w.startNs + limit, w.startEventIndex);
  violations.offer(eventIndex, () => ({
    check: "unavailability",
    message:
      `client "${w.client}" could not ${w.op} for ${formatSeconds(w.durationNs)} ` +
      `(from ${formatSeconds(w.startNs)}${w.endEventIndex === -1 ? " to the end" : ""}, ${plural(w.failures, "failure")}), ` +
      `longer than the limit of ${formatSeconds(limit)}`,
    eventIndex,
    timeNs: history.events[eventIndex]!.timeNs,
    messageIds: [],
  }));
}

/** The first event at or after `from` whose time is later than `timeNs` (events are in time order). */
function firstEventAfter(history: History, timeNs: TimeNs, from: number): number {
  const events = history.events;
  let lo = from;
  let hi = events.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.timeNs > timeNs) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
