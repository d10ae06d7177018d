/**
 * Number formatting for the scaling report: fixed rules, no locale (the
 * report must read the same on every machine). Rates are decimal: 1 MB/s =
 * 10^6 bytes per second.
 */
import { formatCount } from "../../src/report/format.js";

/** "2.150". */
export const fmtRatio = (value: number): string => value.toFixed(3);
/** "1,175 MB/s": throughputs compare best in one unit. */
export const fmtMBps = (bytesPerSec: number): string => `${formatCount(bytesPerSec / 1e6)} MB/s`;
/** "1.17 GB/s" or "98.0 MB/s". */
export function fmtBytesPerSec(bytesPerSec: number): string {
  return bytesPerSec >= 1e9 ? `${(bytesPerSec / 1e9).toFixed(2)} GB/s` : `${(bytesPerSec / 1e6).toFixed(1)} MB/s`;
}
/** "1,147,804 msg/s". */
export const fmtMsgPerSec = (perSec: number): string => `${formatCount(perSec)} msg/s`;
/** "2 s", "0.25 s". */
export const fmtSeconds = (ns: number): string => `${Number((ns / 1e9).toFixed(3))} s`;
/** "12.3 GB" / "456 MB". */
export function fmtBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}
/** "×3.02". */
export const fmtTimes = (factor: number): string => `×${factor.toFixed(2)}`;

/** Spread of per-bucket rates around their mean: "±1.8%". */
export function fmtSpread(values: readonly number[]): string {
  if (values.length === 0) return "n/a";
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (mean === 0) return "n/a";
  const worst = values.reduce((most, v) => Math.max(most, Math.abs(v - mean)), 0);
  return `±${((worst / mean) * 100).toFixed(1)}%`;
}

export { formatCount };
