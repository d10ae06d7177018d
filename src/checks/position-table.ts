/**
 * What one stream (or one group's view of it) holds at each position: a
 * message id and the event that first said so. Positions are log offsets —
 * dense, from 0 — so the table is a pair of typed arrays indexed by position
 * that grow by doubling; memory is O(largest position), which for the
 * simulator's logs is O(messages).
 */
import type { MessageId } from "../clients/history.js";

/** Positions beyond this would need a sparse table; no simulated log comes near it. */
export const POSITION_LIMIT = 2 ** 30;
const ABSENT = -1;
const INITIAL_CAPACITY = 64;

export class PositionTable {
  private ids = new Float64Array(INITIAL_CAPACITY).fill(ABSENT);
  private events = new Int32Array(INITIAL_CAPACITY).fill(ABSENT);
  private marks = new Uint8Array(INITIAL_CAPACITY);
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

  /** A per-position flag for the checker's own use (e.g. "already reported"). */
  isMarked(position: number): boolean {
    return position >= 0 && position < this.marks.length && this.marks[position] === 1;
  }

  mark(position: number): void {
    if (position >= this.marks.length) this.grow(position + 1);
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
    let capacity = this.ids.length;
    while (capacity < needed) capacity *= 2;
    const ids = new Float64Array(capacity).fill(ABSENT);
    ids.set(this.ids);
    const events = new Int32Array(capacity).fill(ABSENT);
    events.set(this.events);
    const marks = new Uint8Array(capacity);
    marks.set(this.marks);
    this.ids = ids;
    this.events = events;
    this.marks = marks;
  }
}
