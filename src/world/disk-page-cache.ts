/**
 * The page cache's memory limit: what stays resident and what is evicted.
 *
 * Resident bytes are every file's bytes not cold: written data (dirty or
 * clean) and data read from the device. When they exceed capacityBytes, clean
 * data leaves the cache oldest first — in the order it became clean (written
 * back) or was read in — and turns cold, so the next read of it costs a
 * device read. Dirty data is never evicted: it must be written first (the
 * dirty limits keep it far below the capacity).
 *
 * The order approximates Linux's inactive LRU list for append-only logs:
 * data written once and read soon after (a consumer keeping up) is read
 * while resident; a consumer that falls further behind than the cache holds
 * reads from the device. Linux's second chance (a page read twice moves to
 * the active list) is not modelled.
 *
 * Clean extents sit in a FIFO of parallel arrays; an extent of a file since
 * truncated or removed is clamped or skipped when it reaches the head.
 */
import { assert, assertNonNegativeInteger } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import type { DiskFile } from "./disk-file.js";

const COMPACT_MIN = 1024;

export class PageCache {
  readonly capacityBytes: number;
  private residentBytesNow = 0;
  private evictedBytesTotal = 0;
  private files: (DiskFile | null)[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private head = 0;

  private readonly marks: Marks | null;

  constructor(capacityBytes: number, marks: Marks | null) {
    assertNonNegativeInteger(capacityBytes, "pageCacheBytes");
    this.capacityBytes = capacityBytes;
    this.marks = marks;
  }

  get residentBytes(): number {
    return this.residentBytesNow;
  }

  get evictedBytes(): number {
    return this.evictedBytesTotal;
  }

  /** Bytes entered the cache dirty (an append). */
  addDirty(bytes: number): void {
    this.residentBytesNow += bytes;
    if (this.residentBytesNow > this.capacityBytes) this.evict();
  }

  /** [start, end) of file became clean (written back): it may now be evicted. */
  addClean(file: DiskFile, start: number, end: number): void {
    if (end <= start) return;
    this.files.push(file);
    this.starts.push(start);
    this.ends.push(end);
    this.evict();
  }

  /** [start, end) of file was read from the device; `bytes` of it were cold until now. */
  addRead(file: DiskFile, start: number, end: number, bytes: number): void {
    this.residentBytesNow += bytes;
    this.addClean(file, start, end);
  }

  /** Resident bytes left the cache without eviction (truncated, removed). */
  drop(bytes: number): void {
    this.residentBytesNow -= bytes;
    assert(this.residentBytesNow >= 0, `page cache resident ${this.residentBytesNow} < 0`);
  }

  /** Power is gone: nothing is resident. */
  clear(): void {
    this.residentBytesNow = 0;
    this.files = [];
    this.starts = [];
    this.ends = [];
    this.head = 0;
  }

  /** Evicts the oldest clean extents while more than capacityBytes is resident. */
  private evict(): void {
    while (this.residentBytesNow > this.capacityBytes && this.head < this.files.length) {
      const file = this.files[this.head]!;
      const start = this.starts[this.head]!;
      const end = Math.min(this.ends[this.head]!, file.durableBytes);
      // Only what is over the capacity goes, as Linux reclaims page by page:
      // an extent is one device write (up to a MiB), and the rest of it stays.
      const cut = Math.min(end, start + (this.residentBytesNow - this.capacityBytes));
      if (file.isRemoved || cut >= end) {
        this.files[this.head] = null;
        this.head++;
      } else {
        this.starts[this.head] = cut;
      }
      if (file.isRemoved || cut <= start) continue;
      const evicted = file.cold.cool(start, cut);
      if (evicted > 0) this.marks?.hit("disk.evict");
      this.residentBytesNow -= evicted;
      this.evictedBytesTotal += evicted;
    }
    if (this.head === this.files.length) {
      this.files = [];
      this.starts = [];
      this.ends = [];
      this.head = 0;
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.files.length) {
      this.files = this.files.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.head = 0;
    }
  }
}
