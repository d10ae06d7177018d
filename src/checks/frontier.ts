/**
 * How far one group has read into one stream over time: the events at which
 * the largest delivered position grew, with that position. "When did the
 * group first get past position p?" is then a binary search.
 */
export class Frontier {
  private readonly eventIndexes: number[] = [];
  private readonly lastPositions: number[] = [];

  /** Notes a delivery ending at `lastPosition` (inclusive) at event `eventIndex` (events come in order). */
  advance(eventIndex: number, lastPosition: number): void {
    const top = this.lastPositions[this.lastPositions.length - 1];
    if (top !== undefined && lastPosition <= top) return;
    this.eventIndexes.push(eventIndex);
    this.lastPositions.push(lastPosition);
  }

  /** The first event that delivered a position above `position`, or -1. */
  firstPast(position: number): number {
    let lo = 0;
    let hi = this.lastPositions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.lastPositions[mid]! > position) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.eventIndexes.length ? this.eventIndexes[lo]! : -1;
  }

  /** The largest position delivered, or -1. */
  get last(): number {
    return this.lastPositions[this.lastPositions.length - 1] ?? -1;
  }
}
