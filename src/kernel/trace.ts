/**
 * The trace of a run. Every record feeds the run's 64-bit digest through a
 * canonical encoding (time, kind, subject, up to three numbers), so "same
 * scenario + same seed" can be checked byte for byte across processes. An
 * optional bounded ring keeps the most recent records for export.
 */
import { assertNonNegativeInteger } from "./assert.js";
import { Digest64, stringFingerprint } from "./digest.js";
import type { TimeNs } from "./time.js";

export interface TraceRecord {
  timeNs: TimeNs;
  /** What happened, e.g. "net.send", "node.crash", "disk.fsync". */
  kind: string;
  /** Who it happened to, e.g. "b1", "b1->b2", "b1:/data/p0.log". */
  subject: string;
  a: number;
  b: number;
  c: number;
}

/**
 * A trace kind or subject with its digest fingerprint taken once, for
 * records written on hot paths (every packet, every append): recordNamed
 * digests exactly as record does with the same strings, minus two lookups.
 */
export class TraceName {
  readonly text: string;
  readonly fingerprint: number;

  constructor(text: string) {
    this.text = text;
    this.fingerprint = stringFingerprint(text);
  }
}

export interface TraceOptions {
  /** Keep at most this many most-recent records in memory (0 = keep none). */
  bufferRecordsMax?: number;
}

export class Trace {
  readonly digest: Digest64;
  private readonly clock: { readonly now: TimeNs };
  private readonly bufferMax: number;
  private readonly buffer: TraceRecord[] = [];
  private bufferNext = 0;
  private recordsTotal = 0;

  constructor(clock: { readonly now: TimeNs }, digest: Digest64, options: TraceOptions = {}) {
    this.clock = clock;
    this.digest = digest;
    this.bufferMax = options.bufferRecordsMax ?? 0;
    assertNonNegativeInteger(this.bufferMax, "bufferRecordsMax");
  }

  record(kind: string, subject: string, a = 0, b = 0, c = 0): void {
    const timeNs = this.clock.now;
    this.digest.mixRecord(timeNs, stringFingerprint(kind), stringFingerprint(subject), a, b, c);
    this.recordsTotal++;
    if (this.bufferMax > 0) this.keep({ timeNs, kind, subject, a, b, c });
  }

  /** record(kind.text, subject.text, a, b, c), with the fingerprints already taken. */
  recordNamed(kind: TraceName, subject: TraceName, a = 0, b = 0, c = 0): void {
    const timeNs = this.clock.now;
    this.digest.mixRecord(timeNs, kind.fingerprint, subject.fingerprint, a, b, c);
    this.recordsTotal++;
    if (this.bufferMax > 0) this.keep({ timeNs, kind: kind.text, subject: subject.text, a, b, c });
  }

  get recordCount(): number {
    return this.recordsTotal;
  }

  /** Buffered records, oldest first. */
  records(): TraceRecord[] {
    if (this.buffer.length < this.bufferMax) return this.buffer.slice();
    return [...this.buffer.slice(this.bufferNext), ...this.buffer.slice(0, this.bufferNext)];
  }

  digestHex(): string {
    return this.digest.hex();
  }

  private keep(record: TraceRecord): void {
    if (this.buffer.length < this.bufferMax) {
      this.buffer.push(record);
      return;
    }
    this.buffer[this.bufferNext] = record;
    this.bufferNext = (this.bufferNext + 1) % this.bufferMax;
  }
}
