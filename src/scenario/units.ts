/**
 * Values with units, as people write them in scenario files: durations
 * ("10ms", "2s", "1.5h"), sizes ("1KiB", "4MB"), bandwidths ("10Gbps",
 * "200MB/s") and rates ("5k/s", "50/s"). Each parser returns the simulator's
 * integer unit (nanoseconds, bytes, bytes per second, messages per second)
 * or null when the text is not such a value; the schema turns null into an
 * error that names the field and shows what was given.
 */

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

const DURATION_NS: Record<string, number> = {
  ns: 1,
  us: 1_000,
  µs: 1_000,
  μs: 1_000,
  ms: 1_000_000,
  s: 1_000_000_000,
  m: 60_000_000_000,
  min: 60_000_000_000,
  h: 3_600_000_000_000,
  d: 86_400_000_000_000,
};

const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  TB: 1_000_000_000_000,
  KiB: 1_024,
  MiB: 1_048_576,
  GiB: 1_073_741_824,
  TiB: 1_099_511_627_776,
};

/** Bits per second per unit (network rates are quoted in bits). */
const BITS_PER_SEC: Record<string, number> = {
  bps: 1,
  Kbps: 1e3,
  Mbps: 1e6,
  Gbps: 1e9,
  Tbps: 1e12,
};

const RATE_MULTIPLIER: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6 };

const RATE_PER: Record<string, number> = { s: 1, sec: 1, m: 1 / 60, min: 1 / 60, h: 1 / 3600 };

/** The largest value any parser returns: anything above is a typo, not a scenario. */
export const UNIT_VALUE_MAX = Number.MAX_SAFE_INTEGER;

function parseWith(text: string, pattern: RegExp): [number, string, string] | null {
  const match = pattern.exec(text.trim());
  if (match === null) return null;
  const value = Number(match[1]);
  if (!Number.isFinite(value)) return null;
  return [value, match[2] ?? "", match[3] ?? ""];
}

function inRange(value: number): number | null {
  return Number.isFinite(value) && value >= 0 && value <= UNIT_VALUE_MAX ? value : null;
}

const DURATION_PATTERN = new RegExp(`^${NUMBER}\\s*(ns|us|µs|μs|ms|s|min|m|h|d)$`);

/** "250us", "10ms", "2s", "1.5h" → integer nanoseconds (rounded); "0" alone is also accepted. "µs" may be written with the micro sign or the Greek mu. */
export function parseDurationNs(text: string): number | null {
  if (text.trim() === "0") return 0;
  const parsed = parseWith(text, DURATION_PATTERN);
  if (parsed === null) return null;
  return inRange(Math.round(parsed[0] * DURATION_NS[parsed[1]]!));
}

const SIZE_PATTERN = new RegExp(`^${NUMBER}\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`);

/** "100B", "1KiB", "4MB" → integer bytes (rounded). */
export function parseSizeBytes(text: string): number | null {
  const parsed = parseWith(text, SIZE_PATTERN);
  if (parsed === null) return null;
  return inRange(Math.round(parsed[0] * SIZE_BYTES[parsed[1]]!));
}

const BITS_PATTERN = new RegExp(`^${NUMBER}\\s*(bps|Kbps|Mbps|Gbps|Tbps)$`);
const BYTES_PER_SEC_PATTERN = new RegExp(`^${NUMBER}\\s*(B|KB|MB|GB|KiB|MiB|GiB)/s$`);

/** "10Gbps" (bits) or "200MB/s" (bytes) → bytes per second. */
export function parseBandwidthBytesPerSec(text: string): number | null {
  const bits = parseWith(text, BITS_PATTERN);
  if (bits !== null) return inRange(Math.round((bits[0] * BITS_PER_SEC[bits[1]]!) / 8));
  const bytes = parseWith(text, BYTES_PER_SEC_PATTERN);
  if (bytes === null) return null;
  return inRange(Math.round(bytes[0] * SIZE_BYTES[bytes[1]]!));
}

const RATE_PATTERN = new RegExp(`^${NUMBER}\\s*(k|K|M)?\\s*/\\s*(s|sec|min|m|h)$`);

/** "5k/s", "50/s", "1.2M/s", "600/min" → messages (or requests) per second. */
export function parseRatePerSec(text: string): number | null {
  const parsed = parseWith(text, RATE_PATTERN);
  if (parsed === null) return null;
  return inRange(parsed[0] * RATE_MULTIPLIER[parsed[1]]! * RATE_PER[parsed[2]]!);
}

const DURATION_UNITS_DESCENDING: readonly [string, number][] = [
  ["d", DURATION_NS["d"]!],
  ["h", DURATION_NS["h"]!],
  ["min", DURATION_NS["min"]!],
  ["s", DURATION_NS["s"]!],
  ["ms", DURATION_NS["ms"]!],
  ["us", DURATION_NS["us"]!],
];

/** Integer nanoseconds → the way a scenario file would write it ("30s", "1.5s", "250ms", "1234.567us"), exactly: parseDurationNs(formatDurationNs(ns)) === ns. For messages. */
export function formatDurationNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns);
  if (ns === 0) return "0";
  const magnitude = Math.abs(ns);
  for (const [unit, size] of DURATION_UNITS_DESCENDING) {
    // The largest unit in which the value has at most three decimals ("1.5s", "1.001s") and reads back exactly.
    if (magnitude >= size && magnitude % (size / 1000) === 0) {
      const text = `${ns / size}${unit}`;
      if (parseDurationNs(text) === ns) return text;
    }
  }
  return `${ns}ns`;
}

/** The shortest text that reads back as `value` (the earlier candidate on a tie), else the last candidate. */
function firstExact(value: number, candidates: readonly string[], parse: (text: string) => number | null): string {
  let best: string | null = null;
  for (const text of candidates) if (parse(text) === value && (best === null || text.length < best.length)) best = text;
  return best ?? candidates[candidates.length - 1]!;
}

/** `value / size` with at most three decimals, or null when it needs more (or is below 1). */
function inUnit(value: number, size: number): string | null {
  const scaled = value / size;
  if (scaled < 1 || Math.round(scaled * 1000) !== scaled * 1000) return null;
  return String(scaled);
}

/** Integer bytes → "100B", "1KiB", "4MB", exactly: parseSizeBytes(formatSizeBytes(b)) === b. */
export function formatSizeBytes(bytes: number): string {
  const candidates: string[] = [];
  for (const unit of ["TiB", "GiB", "MiB", "KiB", "TB", "GB", "MB", "KB"]) {
    const text = inUnit(bytes, SIZE_BYTES[unit]!);
    if (text !== null) candidates.push(`${text}${unit}`);
  }
  candidates.push(`${bytes}B`);
  return firstExact(bytes, candidates, parseSizeBytes);
}

/** Bytes per second → "10Gbps" when it is a round number of bits, else "200MB/s", exactly. */
export function formatBandwidthBytesPerSec(bytesPerSec: number): string {
  const candidates: string[] = [];
  for (const unit of ["Tbps", "Gbps", "Mbps", "Kbps"]) {
    const text = inUnit(bytesPerSec * 8, BITS_PER_SEC[unit]!);
    if (text !== null) candidates.push(`${text}${unit}`);
  }
  for (const unit of ["GB", "MB", "KB"]) {
    const text = inUnit(bytesPerSec, SIZE_BYTES[unit]!);
    if (text !== null) candidates.push(`${text}${unit}/s`);
  }
  candidates.push(`${bytesPerSec}B/s`);
  return firstExact(bytesPerSec, candidates, parseBandwidthBytesPerSec);
}

/** Per second → "20/s", "5k/s", "1.2M/s", exactly. */
export function formatRatePerSec(perSecond: number): string {
  const candidates: string[] = [];
  for (const [unit, size] of [["M", 1e6], ["k", 1e3]] as const) {
    const text = inUnit(perSecond, size);
    if (text !== null) candidates.push(`${text}${unit}/s`);
  }
  candidates.push(`${perSecond}/s`);
  return firstExact(perSecond, candidates, parseRatePerSec);
}
