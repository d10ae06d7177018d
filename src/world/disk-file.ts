/**
 * One append-only file of a simulated disk: a log of *records*, opaque values
 * with a byte size (there is no real byte content). The file tracks three
 * lengths, always ordered durable <= submitted <= cached:
 * - cachedBytes: what processes see, i.e. the page cache (every record);
 * - submittedBytes: what has been handed to the device (in flight or done);
 * - durableBytes: what the device has completed writing, i.e. what survives a
 *   power loss.
 *
 * Record bookkeeping lives here; the page cache, device and writeback policy
 * live in Disk, which is the only caller of the mutating methods.
 */
import { assert } from "../kernel/assert.js";
import { TraceName } from "../kernel/trace.js";
import { ColdRanges } from "./disk-cold-ranges.js";

export interface DiskRecord<T = unknown> {
  readonly value: T;
  /** Bytes of the record in the file; for a torn record, only the part that reached the device. */
  readonly bytes: number;
  /**
   * Only a prefix of the record reached the device before power was lost (a
   * torn write). Recovery code must treat it like a checksum failure.
   */
  readonly torn: boolean;
}

export type WritebackList = "none" | "dirty" | "io";

export class DiskFile<T = unknown> {
  readonly path: string;
  /** Trace subject "node:path", built once rather than per event. */
  readonly subject: string;
  /** The subject fingerprinted once, for the trace records of every append and write. */
  readonly subjectName: TraceName;
  /** The disk that made this file: using it on another disk is a bug. */
  readonly owner: object;
  /**
   * Records as parallel lists rather than one object each: a long run
   * appends millions of records that live to the end, and every object kept
   * is work for the garbage collector. DiskRecord objects are built only when
   * someone reads `records`.
   */
  private readonly values: T[] = [];
  /** End offset of each record, parallel to values, to map bytes to records. */
  private readonly recordEnds: number[] = [];
  /** Indices of records only partly on the device (torn by a power loss). */
  private readonly tornIndices = new Set<number>();
  /** `records` as last built; null after any change. */
  private recordsView: DiskRecord<T>[] | null = null;
  private durableBytesNow = 0;
  private durableRecordCountNow = 0;
  private removed = false;

  /** Owned by Disk: bytes handed to the device; [submittedBytes, cachedBytes) is dirty and waiting. */
  submittedBytes = 0;
  /** Owned by Disk: device queue sequence of this file's latest write request (0 = none yet). */
  lastWriteSeq = 0;
  /** Owned by Disk: what is on the device but not in the page cache. */
  readonly cold = new ColdRanges();
  /** Owned by Writeback: which of its inode lists holds this file (Linux's b_dirty / b_io). */
  writebackList: WritebackList = "none";
  /** Owned by Writeback: when the file last went from clean to dirty (Linux's inode->dirtied_when). */
  dirtiedAtNs = -1;

  constructor(options: { path: string; subject: string; owner: object }) {
    this.path = options.path;
    this.subject = options.subject;
    this.subjectName = new TraceName(options.subject);
    this.owner = options.owner;
  }

  /** Every record, as processes see it (the page cache), as of now: read it again after a change. */
  get records(): readonly DiskRecord<T>[] {
    if (this.recordsView === null) {
      const view: DiskRecord<T>[] = [];
      let start = 0;
      for (let i = 0; i < this.values.length; i++) {
        const end = this.recordEnds[i]!;
        view.push({ value: this.values[i]!, bytes: end - start, torn: this.tornIndices.has(i) });
        start = end;
      }
      this.recordsView = view;
    }
    return this.recordsView;
  }

  /** Records [from, to) as `records` would show them, without building the whole list. */
  recordsIn(from: number, to: number): DiskRecord<T>[] {
    const out: DiskRecord<T>[] = [];
    for (let i = from; i < to; i++) {
      out.push({ value: this.values[i]!, bytes: this.recordEnds[i]! - this.recordStartBytes(i), torn: this.tornIndices.has(i) });
    }
    return out;
  }

  get recordCount(): number {
    return this.values.length;
  }

  /** The file's length as processes see it (page cache included). */
  get cachedBytes(): number {
    const count = this.recordEnds.length;
    return count === 0 ? 0 : this.recordEnds[count - 1]!;
  }

  /** How much of the file is on the device and survives a power loss. */
  get durableBytes(): number {
    return this.durableBytesNow;
  }

  /** Records wholly on the device (the first durableRecordCount records). */
  get durableRecordCount(): number {
    return this.durableRecordCountNow;
  }

  /** Bytes a power loss would take now: dirty or still being written. */
  get dirtyBytes(): number {
    return this.cachedBytes - this.durableBytesNow;
  }

  get isRemoved(): boolean {
    return this.removed;
  }

  recordStartBytes(index: number): number {
    if (!(Number.isSafeInteger(index) && index >= 0 && index <= this.values.length)) assert(false, `record index ${index} out of range`);
    return index === 0 ? 0 : this.recordEnds[index - 1]!;
  }

  recordEndBytes(index: number): number {
    if (!(Number.isSafeInteger(index) && index >= 0 && index < this.values.length)) assert(false, `record index ${index} out of range`);
    return this.recordEnds[index]!;
  }

  /** Whether records [fromRecordIndex, toRecordIndex) are all in the page cache (a read of them costs no device time). */
  isCached(fromRecordIndex: number, toRecordIndex: number): boolean {
    if (this.cold.isEmpty) return true;
    return this.cold.coldBytesIn(this.recordStartBytes(fromRecordIndex), this.recordStartBytes(toRecordIndex)) === 0;
  }

  /**
   * Where a device write starting at record boundary `start` should end to
   * move at most maxBytes: the last record end within it, or, when the first
   * record alone is larger, that record's end (a write never splits a record).
   * Never past cachedBytes. Binary search: it runs per writeback request.
   */
  writeEndFrom(start: number, maxBytes: number): number {
    const cached = this.cachedBytes;
    if (!(start >= 0 && start < cached && maxBytes > 0)) assert(false, `${this.subject}: write from ${start} of ${cached} (max ${maxBytes})`);
    const limit = start + maxBytes;
    if (limit >= cached) return cached;
    const ends = this.recordEnds;
    // First index whose end exceeds limit.
    let lo = 0;
    let hi = ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ends[mid]! <= limit) lo = mid + 1;
      else hi = mid;
    }
    const end = lo === 0 ? 0 : ends[lo - 1]!;
    return end > start ? end : ends[lo]!;
  }

  // ------------------------------------------------------- mutators for Disk

  /** Adds a record to the page cache; returns its index. */
  pushRecord(value: T, bytes: number): number {
    const index = this.values.length;
    this.values.push(value);
    this.recordEnds.push(this.cachedBytes + bytes);
    this.recordsView = null;
    return index;
  }

  /** The device finished writing up to endBytes. */
  markDurable(endBytes: number): void {
    if (!(endBytes >= this.durableBytesNow && endBytes <= this.cachedBytes)) {
      assert(false, `${this.subject}: durable ${this.durableBytesNow} -> ${endBytes} outside [durable, cached ${this.cachedBytes}]`);
    }
    this.durableBytesNow = endBytes;
    const ends = this.recordEnds;
    let count = this.durableRecordCountNow;
    while (count < ends.length && ends[count]! <= endBytes) count++;
    this.durableRecordCountNow = count;
  }

  /** Drops records from the tail, keeping the first recordCount. */
  truncateRecords(recordCount: number): void {
    assert(
      Number.isSafeInteger(recordCount) && recordCount >= 0 && recordCount <= this.values.length,
      `${this.subject}: truncate to ${recordCount} records of ${this.values.length}`,
    );
    this.values.length = recordCount;
    this.recordEnds.length = recordCount;
    for (const index of [...this.tornIndices]) if (index >= recordCount) this.tornIndices.delete(index);
    this.recordsView = null;
    const lengthBytes = this.cachedBytes;
    this.durableBytesNow = Math.min(this.durableBytesNow, lengthBytes);
    this.durableRecordCountNow = Math.min(this.durableRecordCountNow, recordCount);
    this.submittedBytes = Math.min(this.submittedBytes, lengthBytes);
    this.cold.cutAt(lengthBytes);
  }

  /**
   * Power came back: the file is what reached the device. A record that
   * straddles the durable boundary (a torn write) is kept, cut to the part
   * that landed and flagged torn. Everything is cold. Returns true if a record
   * was torn.
   */
  keepDurableOnly(): boolean {
    const durable = this.durableBytesNow;
    let kept = this.durableRecordCountNow;
    let isTorn = false;
    if (kept < this.values.length) {
      const start = this.recordStartBytes(kept);
      if (durable > start) {
        this.recordEnds[kept] = durable;
        this.tornIndices.add(kept);
        kept++;
        isTorn = true;
      }
      this.values.length = kept;
      this.recordEnds.length = kept;
      this.recordsView = null;
    }
    this.durableRecordCountNow = kept;
    this.submittedBytes = durable;
    this.cold.resetTo(durable);
    return isTorn;
  }

  markRemoved(): void {
    this.removed = true;
  }

  /** Cheap invariants; `deep` also checks every record's size (O(records)). */
  checkInvariants(deep = false): void {
    const cached = this.cachedBytes;
    const durable = this.durableBytesNow;
    const count = this.durableRecordCountNow;
    if (!(Number.isSafeInteger(durable) && durable >= 0)) assert(false, `${this.subject}: durableBytes ${durable}`);
    if (!(durable <= this.submittedBytes)) assert(false, `${this.subject}: durable ${durable} > submitted ${this.submittedBytes}`);
    if (!(this.submittedBytes <= cached)) assert(false, `${this.subject}: submitted ${this.submittedBytes} > cached ${cached}`);
    if (!(count >= 0 && count <= this.values.length)) assert(false, `${this.subject}: durableRecordCount ${count}`);
    if (!(count === 0 || this.recordEnds[count - 1]! <= durable)) assert(false, `${this.subject}: record ${count - 1} counted durable past ${durable}`);
    if (!(count === this.values.length || this.recordEnds[count]! > durable)) assert(false, `${this.subject}: record ${count} durable but not counted`);
    if (!deep) return;
    let start = 0;
    for (let i = 0; i < this.values.length; i++) {
      const end = this.recordEnds[i]!;
      const bytes = end - start;
      if (!(Number.isSafeInteger(bytes) && bytes > 0)) assert(false, `${this.subject}: record ${i} has ${bytes} bytes (ends at ${end})`);
      start = end;
    }
    for (const index of this.tornIndices) {
      if (!(index < this.values.length)) assert(false, `${this.subject}: torn record ${index} past the end`);
    }
    this.cold.checkInvariants();
  }
}
