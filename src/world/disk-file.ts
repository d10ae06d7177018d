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

export class DiskFile<T = unknown> {
  readonly path: string;
  /** Trace subject "node:path", built once rather than per event. */
  readonly subject: string;
  /** The disk that made this file: using it on another disk is a bug. */
  readonly owner: object;
  private readonly recordList: DiskRecord<T>[] = [];
  /** End offset of each record, parallel to recordList, to map bytes to records. */
  private readonly recordEnds: number[] = [];
  private durableBytesNow = 0;
  private durableRecordCountNow = 0;
  private removed = false;

  /** Owned by Disk: bytes handed to the device; [submittedBytes, cachedBytes) is dirty and waiting. */
  submittedBytes = 0;
  /** Owned by Disk: device queue sequence of this file's latest write request (0 = none yet). */
  lastWriteSeq = 0;
  /** Owned by Disk: what is on the device but not in the page cache. */
  readonly cold = new ColdRanges();

  constructor(options: { path: string; subject: string; owner: object }) {
    this.path = options.path;
    this.subject = options.subject;
    this.owner = options.owner;
  }

  /** Every record, as processes see it (the page cache). A live view: the same array for the file's whole life. */
  get records(): readonly DiskRecord<T>[] {
    return this.recordList;
  }

  get recordCount(): number {
    return this.recordList.length;
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
    assert(Number.isSafeInteger(index) && index >= 0 && index <= this.recordList.length, `record index ${index} out of range`);
    return index === 0 ? 0 : this.recordEnds[index - 1]!;
  }

  recordEndBytes(index: number): number {
    assert(Number.isSafeInteger(index) && index >= 0 && index < this.recordList.length, `record index ${index} out of range`);
    return this.recordEnds[index]!;
  }

  // ------------------------------------------------------- mutators for Disk

  /** Adds a record to the page cache; returns its index. */
  pushRecord(value: T, bytes: number): number {
    const index = this.recordList.length;
    this.recordList.push({ value, bytes, torn: false });
    this.recordEnds.push(this.cachedBytes + bytes);
    return index;
  }

  /** The device finished writing up to endBytes. */
  markDurable(endBytes: number): void {
    assert(
      endBytes >= this.durableBytesNow && endBytes <= this.cachedBytes,
      `${this.subject}: durable ${this.durableBytesNow} -> ${endBytes} outside [durable, cached ${this.cachedBytes}]`,
    );
    this.durableBytesNow = endBytes;
    const ends = this.recordEnds;
    let count = this.durableRecordCountNow;
    while (count < ends.length && ends[count]! <= endBytes) count++;
    this.durableRecordCountNow = count;
  }

  /** Drops records from the tail, keeping the first recordCount. */
  truncateRecords(recordCount: number): void {
    assert(
      Number.isSafeInteger(recordCount) && recordCount >= 0 && recordCount <= this.recordList.length,
      `${this.subject}: truncate to ${recordCount} records of ${this.recordList.length}`,
    );
    this.recordList.length = recordCount;
    this.recordEnds.length = recordCount;
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
    if (kept < this.recordList.length) {
      const start = this.recordStartBytes(kept);
      if (durable > start) {
        const record = this.recordList[kept]!;
        this.recordList[kept] = { value: record.value, bytes: durable - start, torn: true };
        this.recordEnds[kept] = durable;
        kept++;
        isTorn = true;
      }
      this.recordList.length = kept;
      this.recordEnds.length = kept;
    }
    this.durableRecordCountNow = kept;
    this.submittedBytes = durable;
    this.cold.resetTo(durable);
    return isTorn;
  }

  markRemoved(): void {
    this.removed = true;
  }

  /** Cheap invariants; `deep` also re-adds every record's size (O(records)). */
  checkInvariants(deep = false): void {
    const cached = this.cachedBytes;
    const durable = this.durableBytesNow;
    const count = this.durableRecordCountNow;
    assert(Number.isSafeInteger(durable) && durable >= 0, `${this.subject}: durableBytes ${durable}`);
    assert(durable <= this.submittedBytes, `${this.subject}: durable ${durable} > submitted ${this.submittedBytes}`);
    assert(this.submittedBytes <= cached, `${this.subject}: submitted ${this.submittedBytes} > cached ${cached}`);
    assert(count >= 0 && count <= this.recordList.length, `${this.subject}: durableRecordCount ${count}`);
    assert(count === 0 || this.recordEnds[count - 1]! <= durable, `${this.subject}: record ${count - 1} counted durable past ${durable}`);
    assert(count === this.recordList.length || this.recordEnds[count]! > durable, `${this.subject}: record ${count} durable but not counted`);
    if (!deep) return;
    let end = 0;
    for (let i = 0; i < this.recordList.length; i++) {
      const bytes = this.recordList[i]!.bytes;
      assert(Number.isSafeInteger(bytes) && bytes > 0, `${this.subject}: record ${i} has ${bytes} bytes`);
      end += bytes;
      assert(this.recordEnds[i] === end, `${this.subject}: record ${i} ends at ${this.recordEnds[i]}, sizes say ${end}`);
    }
    this.cold.checkInvariants();
  }
}
