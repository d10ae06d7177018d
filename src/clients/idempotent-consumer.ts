/**
 * The deduplication store of an idempotent consumer: the set of message ids
 * whose side effect has been applied, kept as sorted, disjoint id ranges.
 *
 * It models a *durable* store next to the effect itself (the downstream
 * database that records "message id applied" in the same transaction as the
 * effect, the usual way to make an at-least-once consumer effectively-once).
 * So it lives outside any consumer process: the caller builds one per
 * consuming application (one per consumer group), shares it among all the
 * group's consumers, and keeps it across their crashes and restarts.
 *
 * System-neutral: ids are the history's message ids, whatever the system.
 */
import { assert } from "../kernel/assert.js";
import type { MessageId } from "../history/history.js";

/** Consecutive message ids idFirst .. idFirst + count - 1. */
export interface IdRange {
  idFirst: MessageId;
  count: number;
}

export class IdempotentConsumer {
  /** Range starts, ascending; ranges never overlap or touch (touching ranges are merged). */
  private readonly starts: number[] = [];
  /** Range ends (exclusive), parallel to starts. */
  private readonly ends: number[] = [];
  private appliedCountNow = 0;

  /**
   * Applies ids idFirst .. idFirst + count - 1 atomically with their effect:
   * returns the sub-ranges that had not been applied before (in id order),
   * and remembers them. An empty answer means the whole range is a repeat.
   */
  apply(idFirst: MessageId, count: number): IdRange[] {
    assert(Number.isSafeInteger(idFirst) && idFirst >= 0, `apply from id ${idFirst}`);
    assert(Number.isSafeInteger(count) && count > 0, `apply of ${count} ids`);
    const first = idFirst;
    const end = idFirst + count;
    // Ranges i..j overlap or touch [first, end): they merge into one.
    const i = this.firstEndingAtOrAfter(first);
    let j = i - 1;
    while (j + 1 < this.starts.length && this.starts[j + 1]! <= end) j++;
    const fresh: IdRange[] = [];
    let cursor = first;
    for (let k = i; k <= j; k++) {
      const start = this.starts[k]!;
      if (start > cursor) fresh.push({ idFirst: cursor, count: Math.min(start, end) - cursor });
      cursor = Math.max(cursor, this.ends[k]!);
    }
    if (cursor < end) fresh.push({ idFirst: cursor, count: end - cursor });
    const mergedStart = i <= j ? Math.min(first, this.starts[i]!) : first;
    const mergedEnd = i <= j ? Math.max(end, this.ends[j]!) : end;
    this.starts.splice(i, j - i + 1, mergedStart);
    this.ends.splice(i, j - i + 1, mergedEnd);
    for (const range of fresh) this.appliedCountNow += range.count;
    return fresh;
  }

  hasApplied(id: MessageId): boolean {
    const i = this.firstEndingAtOrAfter(id + 1);
    return i < this.starts.length && this.starts[i]! <= id;
  }

  /** How many distinct ids have been applied. */
  get appliedCount(): number {
    return this.appliedCountNow;
  }

  /** How many disjoint ranges the store holds (its size). */
  get rangeCount(): number {
    return this.starts.length;
  }

  /** The applied ranges, ascending. */
  ranges(): IdRange[] {
    return this.starts.map((start, k) => ({ idFirst: start, count: this.ends[k]! - start }));
  }

  /** Index of the first range whose (exclusive) end is >= id, or the range count. */
  private firstEndingAtOrAfter(id: number): number {
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.ends[middle]! < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
