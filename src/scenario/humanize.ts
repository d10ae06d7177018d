/**
 * A scenario (a preset's document, or one expanded with its defaults) with
 * its values in the units people write: "10s", not 10000000000 or
 * "10000000000ns"; "10Gbps", not 1250000000; "5k/s", "1KiB". Every text
 * reads back as the same value (units.ts), so what `mqsim show` prints is a
 * scenario file to start from.
 *
 * Which fields carry a unit is known by name (the schemas' own field
 * names); inside a field with a unit written as a distribution
 * ({ kind: lognormal, median, sigma }) or a rate shape ({ kind: piecewise,
 * steps: [{ at, rate }] }), the value fields carry the same unit and
 * shape parameters (sigma) none. An expanded scenario (run's "expanded
 * scenario") has the schema's own shapes ({ kind: constant, perSecond }):
 * shown in units too, though it is a display, not a file to load. A string of nanoseconds ("…ns", as presets
 * built from run specs write durations) is rewritten too. Kafka, RabbitMQ,
 * RocketMQ and ActiveMQ settings under their own names (linger.ms,
 * sendMsgTimeout, redeliveryDelay) are plain numbers in their own units and
 * stay as they are.
 */
import { formatBandwidthBytesPerSec, formatDurationNs, formatRatePerSec, formatSizeBytes } from "./units.js";

type Unit = "duration" | "size" | "bandwidth" | "rate";

const UNIT_OF_FIELD: Readonly<Record<string, Unit>> = {
  duration: "duration",
  at: "duration",
  atNs: "duration",
  startAt: "duration",
  processingTime: "duration",
  latency: "duration",
  convergeWithin: "duration",
  leaseTime: "duration",
  messageSize: "size",
  memory: "size",
  maxMemory: "size",
  journalMaxFileLength: "size",
  nic: "bandwidth",
  rate: "rate",
  maxRate: "rate",
  capacity: "rate",
};

/** Inside a distribution or rate shape, the fields that carry its unit (as written, and as the schema expands them: { kind: constant, value }, { perSecond }). */
const VALUE_FIELDS: ReadonlySet<string> = new Set(["median", "mean", "min", "max", "sd", "value", "perSecond"]);

/** Inside a rate shape, the fields that hold more of it (a piecewise rate's steps). */
const SHAPE_FIELDS: ReadonlySet<string> = new Set(["steps"]);

const FORMAT: Readonly<Record<Unit, (value: number) => string>> = {
  duration: formatDurationNs,
  size: formatSizeBytes,
  bandwidth: formatBandwidthBytesPerSec,
  rate: formatRatePerSec,
};

const NANOSECONDS_TEXT = /^\d+ns$/;

export function humanizeScenario<T>(document: T): T {
  return humanize(document, null) as T;
}

function humanize(value: unknown, unit: Unit | null): unknown {
  if (typeof value === "number") return unit === null || !Number.isFinite(value) || value < 0 ? value : FORMAT[unit](value);
  if (typeof value === "string") return NANOSECONDS_TEXT.test(value) ? formatDurationNs(Number(value.slice(0, -2))) : value;
  if (Array.isArray(value)) return value.map((item) => humanize(item, unit));
  if (value === null || typeof value !== "object") return value;
  const result: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    const fieldUnit = UNIT_OF_FIELD[key] ?? (unit !== null && (VALUE_FIELDS.has(key) || SHAPE_FIELDS.has(key)) ? unit : null);
    result[key] = humanize(field, fieldUnit);
  }
  return result;
}
