/**
 * Number formatting for reports. Fixed rules written out here rather than
 * toLocaleString or Intl: their output depends on the host's locale and ICU
 * data, and a report must read the same on every machine (and compare as text
 * in tests). Sizes are decimal (kB = 1000 B, MB = 10^6 B) because link and
 * disk rates are quoted in decimal units.
 */
import { NS_PER_MS, NS_PER_SEC, NS_PER_US } from "../kernel/time.js";

interface Unit {
  factor: number;
  suffix: string;
}

const BYTE_UNITS: readonly Unit[] = [
  { factor: 1, suffix: "B" },
  { factor: 1e3, suffix: "kB" },
  { factor: 1e6, suffix: "MB" },
  { factor: 1e9, suffix: "GB" },
  { factor: 1e12, suffix: "TB" },
];

const TIME_UNITS: readonly Unit[] = [
  { factor: 1, suffix: "ns" },
  { factor: NS_PER_US, suffix: "µs" },
  { factor: NS_PER_MS, suffix: "ms" },
  { factor: NS_PER_SEC, suffix: "s" },
];

/** Three significant digits without exponent notation: 1.23, 12.3, 123. */
function threeDigits(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Picks the largest unit that keeps the rounded value at or above 1, so 999.9 kB becomes "1.00 MB", not "1000 kB". */
function withUnit(value: number, units: readonly Unit[]): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  let chosen = units[0]!;
  for (const unit of units) {
    if (magnitude / unit.factor >= 0.9995) chosen = unit;
  }
  // The smallest unit is a whole count (bytes, nanoseconds): no decimals.
  const text = chosen === units[0] ? value.toFixed(0) : threeDigits(value / chosen.factor);
  return `${text} ${chosen.suffix}`;
}

/** "12,345,678": digit groups of three, for counts. */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value);
  const digits = Math.abs(rounded).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return rounded < 0 ? `-${digits}` : digits;
}

/** "1.23 MB". */
export function formatBytes(bytes: number): string {
  return withUnit(bytes, BYTE_UNITS);
}

/** "1.23 MB/s". */
export function formatBytesPerSec(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

/** "12.3 ms": a duration in three significant digits. */
export function formatDuration(durationNs: number): string {
  return withUnit(durationNs, TIME_UNITS);
}

/** "12,345/s" for rates of at least 100 per second, "12.3/s" below. */
export function formatRate(perSec: number): string {
  if (!Number.isFinite(perSec)) return String(perSec);
  return Math.abs(perSec) >= 100 ? `${formatCount(perSec)}/s` : `${threeDigits(perSec)}/s`;
}

/** "1.234 s": a point in virtual time, with millisecond resolution so fault times line up. */
export function formatInstant(timeNs: number): string {
  return `${(timeNs / NS_PER_SEC).toFixed(3)} s`;
}

/** "3.250 s" of unavailability and similar second counts given as floats. */
export function formatSecondsValue(seconds: number): string {
  return `${seconds.toFixed(3)} s`;
}

/** "2.35 MB/s" from bytes per second, as the disk table quotes it: always in MB/s so rows compare. */
export function formatMegabytesPerSec(bytesPerSec: number): string {
  return `${(bytesPerSec / 1e6).toFixed(2)} MB/s`;
}
