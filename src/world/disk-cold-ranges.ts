/**
 * The byte ranges of one file that are on the device but not in the page
 * cache. After a power loss the whole file is cold; each read warms what it
 * read; data written since is warm from the start (it went through the
 * cache); eviction (disk-page-cache.ts) makes clean data cold again.
 *
 * Sorted, disjoint, non-empty [start, end) intervals in two parallel arrays.
 * Reads are mostly sequential, so the list stays short.
 */
import { assert } from "../kernel/assert.js";

export class ColdRanges {
  private starts: number[] = [];
  private ends: number[] = [];

  get isEmpty(): boolean {
    return this.starts.length === 0;
  }

  /** Cold bytes in total. */
  get bytes(): number {
    let total = 0;
    for (let i = 0; i < this.starts.length; i++) total += this.ends[i]! - this.starts[i]!;
    return total;
  }

  /** Everything in [0, lengthBytes) becomes cold (the page cache died with the power). */
  resetTo(lengthBytes: number): void {
    this.starts = lengthBytes > 0 ? [0] : [];
    this.ends = lengthBytes > 0 ? [lengthBytes] : [];
  }

  /** How many bytes of [start, end) are cold. */
  coldBytesIn(start: number, end: number): number {
    let total = 0;
    for (let i = 0; i < this.starts.length; i++) {
      const from = Math.max(start, this.starts[i]!);
      const to = Math.min(end, this.ends[i]!);
      if (to > from) total += to - from;
    }
    return total;
  }

  /** [start, end) is now in the page cache. */
  warm(start: number, end: number): void {
    if (this.starts.length === 0 || end <= start) return;
    const starts: number[] = [];
    const ends: number[] = [];
    for (let i = 0; i < this.starts.length; i++) {
      const rangeStart = this.starts[i]!;
      const rangeEnd = this.ends[i]!;
      if (rangeStart < start) {
        starts.push(rangeStart);
        ends.push(Math.min(rangeEnd, start));
      }
      if (rangeEnd > end) {
        starts.push(Math.max(rangeStart, end));
        ends.push(rangeEnd);
      }
    }
    this.starts = starts;
    this.ends = ends;
    this.checkInvariants();
  }

  /**
   * [start, end) left the page cache (evicted): it is cold again. Returns
   * how many of its bytes were warm until now.
   */
  cool(start: number, end: number): number {
    if (end <= start) return 0;
    const wasWarm = end - start - this.coldBytesIn(start, end);
    if (wasWarm === 0) return 0;
    const starts: number[] = [];
    const ends: number[] = [];
    let mergedStart = start;
    let mergedEnd = end;
    let isPlaced = false;
    for (let i = 0; i < this.starts.length; i++) {
      const rangeStart = this.starts[i]!;
      const rangeEnd = this.ends[i]!;
      if (rangeEnd < mergedStart) {
        starts.push(rangeStart);
        ends.push(rangeEnd);
      } else if (rangeStart > mergedEnd) {
        if (!isPlaced) {
          starts.push(mergedStart);
          ends.push(mergedEnd);
          isPlaced = true;
        }
        starts.push(rangeStart);
        ends.push(rangeEnd);
      } else {
        // Overlapping or touching: absorb it.
        mergedStart = Math.min(mergedStart, rangeStart);
        mergedEnd = Math.max(mergedEnd, rangeEnd);
      }
    }
    if (!isPlaced) {
      starts.push(mergedStart);
      ends.push(mergedEnd);
    }
    this.starts = starts;
    this.ends = ends;
    this.checkInvariants();
    return wasWarm;
  }

  /** The file was truncated to lengthBytes: nothing beyond it exists, cold or warm. */
  cutAt(lengthBytes: number): void {
    let kept = 0;
    while (kept < this.starts.length && this.starts[kept]! < lengthBytes) kept++;
    this.starts.length = kept;
    this.ends.length = kept;
    if (kept > 0 && this.ends[kept - 1]! > lengthBytes) this.ends[kept - 1] = lengthBytes;
  }

  checkInvariants(): void {
    let previousEnd = -1;
    for (let i = 0; i < this.starts.length; i++) {
      const start = this.starts[i]!;
      const end = this.ends[i]!;
      assert(start > previousEnd, `cold ranges overlap or touch at ${start}`);
      assert(end > start, `empty cold range [${start}, ${end})`);
      previousEnd = end;
    }
  }
}
