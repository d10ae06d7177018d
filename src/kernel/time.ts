/**
 * Virtual time is a plain `number` holding integer nanoseconds. Floats of
 * seconds drift; integer nanoseconds stay exact up to 2^53 ns (~104 days),
 * far beyond any run. Durations are rounded to whole ns once, where they are
 * made or drawn, and never again.
 */
import { assertNonNegativeInteger } from "./assert.js";

export type TimeNs = number;
export type DurationNs = number;

export const NS_PER_US = 1_000;
export const NS_PER_MS = 1_000_000;
export const NS_PER_SEC = 1_000_000_000;

export function microseconds(count: number): DurationNs {
  return Math.round(count * NS_PER_US);
}

export function milliseconds(count: number): DurationNs {
  return Math.round(count * NS_PER_MS);
}

export function seconds(count: number): DurationNs {
  return Math.round(count * NS_PER_SEC);
}

export function assertDuration(durationNs: number, name = "duration"): void {
  assertNonNegativeInteger(durationNs, `${name} (ns)`);
}

/** Human-readable, fixed-format rendering for reports and error messages. */
export function formatNs(durationNs: number): string {
  if (!Number.isFinite(durationNs)) return String(durationNs);
  const magnitude = Math.abs(durationNs);
  if (magnitude >= NS_PER_SEC) return `${(durationNs / NS_PER_SEC).toFixed(3)}s`;
  if (magnitude >= NS_PER_MS) return `${(durationNs / NS_PER_MS).toFixed(3)}ms`;
  if (magnitude >= NS_PER_US) return `${(durationNs / NS_PER_US).toFixed(3)}us`;
  return `${durationNs}ns`;
}
