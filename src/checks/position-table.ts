/**
 * What one stream (or one group's view of it) holds at each position: a
 * message id and the event that first said so. Positions are log offsets —
 * dense, from 0 — so the table is a pair of typed arrays indexed by position
 * that grow by doubling; memory is O(largest position), which for the
 * simulator's logs is O(messages).
 */
import type { MessageId } from "../history/history.js";

/** Positions beyond this would need a sparse table; no simulated log comes near it. */
export const POSITION_LIMIT = 2 ** 30;
const ABSENT = -1;
// A small run's stream has a few hundred positions: room for them without growing.
const INITIAL_CAPACITY = 256;
const NO_MARKS = new Uint8Array(0);

export class PositionTable {
  private ids = new Float64Array(INITIAL_CAPACITY).fill(ABSENT);
  private events = new Int32Array(INITIAL_CAPACITY).fill(ABSENT);
  /** Allocated on the first mark(): most checkers never mark anything. */
  private marks = NO_MARKS;
  private endPosition = 0;
  private lowest = Infinity;

  /** One past the largest position that holds an id (0 when empty). */
  get end(): number {
    return this.endPosition;
  }

  /** The smallest position that holds an id (Infinity when empty). */
  get start(): number {
    return this.lowest;
  }

  /** The id at `position`, or -1. */
  idAt(position: number): MessageId {
    return position >= 0 && position < this.endPosition ? this.ids[position]! : ABSENT;
  }

  /** The event that first put an id at `position`, or -1 (also for snapshot entries). */
  eventAt(position: number): number {
    return position >= 0 && position < this.endPosition ? this.events[position]! : ABSENT;
  }

  has(position: number): boolean {
    return this.idAt(position) !== ABSENT;
  }

  /** Records `id` at `position` unless the position already holds one; returns the id it holds now. */
  claim(position: number, id: MessageId, eventIndex: number): MessageId {
    if (position < 0 || position >= POSITION_LIMIT) {
      throw new RangeError(`position ${position} outside [0, ${POSITION_LIMIT})`);
    }
    if (position >= this.ids.length) this.grow(position + 1);
    const held = this.ids[position]!;
    if (held !== ABSENT) return held;
    this.ids[position] = id;
    this.events[position] = eventIndex;
    if (position >= this.endPosition) this.endPosition = position + 1;
    if (position < this.lowest) this.lowest = position;
    return id;
  }

  /**
   * claim(position + k, idFirst + k, eventIndex) for k in [0, count), in one
   * pass over the arrays: logs and deliveries come in ranges, and a run of a
   * million messages would otherwise pay a method call and a bounds test per
   * message.
   */
  claimRange(position: number, idFirst: MessageId, count: number, eventIndex: number): void {
    if (count <= 0) return;
    const end = position + count;
    if (position < 0 || end > POSITION_LIMIT || idFirst < 0) {
      // Out of range or a negative id: claim() one by one reports (or records) it exactly.
      for (let k = 0; k < count; k++) this.claim(position + k, idFirst + k, eventIndex);
      return;
    }
    if (end > this.ids.length) this.grow(end);
    const ids = this.ids;
    const events = this.events;
    for (let p = position, id = idFirst; p < end; p++, id++) {
      if (ids[p] !== ABSENT) continue;
      ids[p] = id;
      events[p] = eventIndex;
    }
    // Every position of the range holds an id now, so the range's ends bound the table.
    if (end > this.endPosition) this.endPosition = end;
    if (position < this.lowest) this.lowest = position;
  }

  /**
   * For claiming [position, position + count) (position >= 0) with ids from
   * idFirst: -1 if some position holds a different id, else how many of
   * them are free.
   */
  freeUnlessConflict(position: number, idFirst: MessageId, count: number): number {
    const stop = position + count;
    const limit = Math.min(stop, this.endPosition);
    // Positions at or past the end hold nothing.
    let free = Math.max(0, stop - Math.max(position, this.endPosition));
    const ids = this.ids;
    for (let p = position, id = idFirst; p < limit; p++, id++) {
      const held = ids[p]!;
      if (held === ABSENT) free++;
      else if (held !== id) return -1;
    }
    return free;
  }

  /** True if both tables hold the same id (or both nothing) at every position in [from, to). */
  sameIdsAs(other: PositionTable, from: number, to: number): boolean {
    const a = this.ids;
    const b = other.ids;
    const aEnd = this.endPosition;
    const bEnd = other.endPosition;
    for (let p = Math.max(0, from); p < to; p++) {
      const x = p < aEnd ? a[p]! : ABSENT;
      const y = p < bEnd ? b[p]! : ABSENT;
      if (x !== y) return false;
    }
    return true;
  }

  /** Makes room for positions below `end` at once (a log's size is known up front). */
  reserve(end: number): void {
    if (end > this.ids.length && end <= POSITION_LIMIT) this.grow(end);
  }

  /** A per-position flag for the checker's own use (e.g. "already reported"). */
  isMarked(position: number): boolean {
    return position >= 0 && position < this.marks.length && this.marks[position] === 1;
  }

  mark(position: number): void {
    if (position >= this.ids.length) this.grow(position + 1);
    if (this.marks.length < this.ids.length) {
      const marks = new Uint8Array(this.ids.length);
      marks.set(this.marks);
      this.marks = marks;
    }
    this.marks[position] = 1;
  }

  /**
   * prefix[p] = how many positions below p hold an id, for p in [0, end]:
   * "does anything exist in [a, b)?" becomes prefix[b] - prefix[a].
   */
  prefixCounts(): Int32Array {
    const prefix = new Int32Array(this.endPosition + 1);
    for (let p = 0; p < this.endPosition; p++) prefix[p + 1] = prefix[p]! + (this.ids[p] === ABSENT ? 0 : 1);
    return prefix;
  }

  private grow(needed: number): void {
    // Doubling for claims one past the end; exactly `needed` for a reserve far past it.
    const capacity = Math.max(needed, this.ids.length * 2);
    const ids = new Float64Array(capacity).fill(ABSENT);
    ids.set(this.ids);
    const events = new Int32Array(capacity).fill(ABSENT);
    events.set(this.events);
    const marks = this.marks.length === 0 ? NO_MARKS : new Uint8Array(capacity);
    if (marks !== NO_MARKS) marks.set(this.marks);
    this.ids = ids;
    this.events = events;
    this.marks = marks;
  }
}
