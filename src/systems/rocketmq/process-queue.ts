/**
 * A push consumer's cache of one queue's pulled messages (ProcessQueue):
 * what has been pulled and not yet consumed, by queue offset. Its one job
 * that matters for safety is the offset the consumer may commit: the
 * smallest offset still in the cache (a message pulled and not consumed
 * yet, or being consumed), or, once the cache is empty, one past the last
 * offset put in it. Messages consumed out of order past a slow one are not
 * committed until it is done, so a crash redelivers them (duplicates, never
 * losses).
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * impl/consumer/ProcessQueue.java (putMessage, removeMessage, getMaxSpan,
 * msgCount, dropped). Not modelled: the cached size in bytes (the
 * pullThresholdSizeForQueue flow control, 100 MiB by default) and the
 * orderly-consumption locks.
 *
 * The cache holds offsets only, as disjoint ascending ranges [start, end):
 * a pull hands over consecutive offsets, so a queue's cache is one range or
 * a few, whatever the number of messages.
 */

export class ProcessQueue {
  /** Set when the queue is taken away (rebalance) or its offset was illegal: its pulls stop, its consume results are dropped. */
  isDropped = false;
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private count = 0;
  /** The last offset put (queueOffsetMax; 0 at first, as in the source). */
  private queueOffsetMax = 0;

  /** Messages in the cache (msgCount): pulled and not yet consumed. */
  get messageCount(): number {
    return this.count;
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  /** The smallest cached offset, or -1 when empty. */
  get firstOffset(): number {
    return this.count === 0 ? -1 : this.starts[0]!;
  }

  /** getMaxSpan: last cached offset minus the first (0 when empty); the pull stops past consumeConcurrentlyMaxSpan. */
  get maxSpan(): number {
    return this.count === 0 ? 0 : this.ends[this.ends.length - 1]! - 1 - this.starts[0]!;
  }

  /**
   * putMessage: `count` messages from `offset` on join the cache. Offsets
   * already cached are not counted again (the tree map keeps one entry per
   * offset).
   */
  put(offset: number, count: number): void {
    const added = this.insert(offset, offset + count);
    if (added === 0) return;
    this.count += added;
    this.queueOffsetMax = offset + count - 1;
  }

  /**
   * removeMessage: consumed messages leave the cache. Returns the offset to
   * commit: the smallest offset still cached, else queueOffsetMax + 1; -1
   * when the cache was already empty (nothing to update).
   */
  remove(offset: number, count: number): number {
    if (this.count === 0) return -1;
    this.count -= this.erase(offset, offset + count);
    return this.count === 0 ? this.queueOffsetMax + 1 : this.starts[0]!;
  }

  /** Adds [from, to) to the ranges; returns how many offsets were not there before. */
  private insert(from: number, to: number): number {
    const last = this.ends.length - 1;
    // The usual case: the next pull's offsets follow the cache (or an empty one).
    if (last < 0 || from >= this.ends[last]!) {
      if (last >= 0 && from === this.ends[last]!) this.ends[last] = to;
      else {
        this.starts.push(from);
        this.ends.push(to);
      }
      return to - from;
    }
    let i = 0;
    while (i < this.ends.length && this.ends[i]! < from) i++;
    let j = i;
    let covered = 0;
    let start = from;
    let end = to;
    while (j < this.starts.length && this.starts[j]! <= to) {
      covered += Math.max(0, Math.min(this.ends[j]!, to) - Math.max(this.starts[j]!, from));
      start = Math.min(start, this.starts[j]!);
      end = Math.max(end, this.ends[j]!);
      j++;
    }
    this.starts.splice(i, j - i, start);
    this.ends.splice(i, j - i, end);
    return to - from - covered;
  }

  /** Removes [from, to) from the ranges; returns how many offsets were there. */
  private erase(from: number, to: number): number {
    let removed = 0;
    for (let i = 0; i < this.starts.length; ) {
      const start = this.starts[i]!;
      const end = this.ends[i]!;
      if (end <= from || start >= to) {
        i++;
        continue;
      }
      removed += Math.min(end, to) - Math.max(start, from);
      const keepLeft = start < from;
      const keepRight = end > to;
      if (keepLeft && keepRight) {
        this.ends[i] = from;
        this.starts.splice(i + 1, 0, to);
        this.ends.splice(i + 1, 0, end);
        return removed;
      }
      if (keepLeft) {
        this.ends[i] = from;
        i++;
      } else if (keepRight) {
        this.starts[i] = to;
        i++;
      } else {
        this.starts.splice(i, 1);
        this.ends.splice(i, 1);
      }
    }
    return removed;
  }
}
