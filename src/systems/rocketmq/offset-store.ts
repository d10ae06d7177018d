/**
 * A clustering consumer's offsets (RemoteBrokerOffsetStore): an in-memory
 * table of the offset to commit per queue, which the broker keeps for the
 * group. The table is only memory: a crash loses whatever was consumed
 * since the broker last heard an offset, and the restarted consumer starts
 * from the broker's, consuming those messages again.
 *
 * The broker hears an offset three ways: persistAll every
 * persistConsumerOffsetInterval (5 s, first 10 s after start) for every
 * queue still held; persist of one queue when it is given up (rebalance) or
 * its offset was illegal; and, not here, as the commitOffset a pull to the
 * master carries.
 *
 * Sources (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * consumer/store/RemoteBrokerOffsetStore.java (updateOffset, updateAndFreezeOffset,
 * readOffset READ_FROM_MEMORY, persistAll, persist, removeOffset) and
 * ControllableOffset.java (a frozen offset ignores later updates).
 */
import type { QueueRef } from "./pull-request.js";

/** Sends one queue's offset to a broker of its group (updateConsumeOffsetToBroker, one-way). */
export interface OffsetSender {
  updateConsumeOffsetToBroker(ref: QueueRef, offset: number): void;
}

interface OffsetEntry {
  ref: QueueRef;
  offset: number;
  /** updateAndFreezeOffset was called: updates are ignored until the entry is removed. */
  isFrozen: boolean;
}

export class OffsetStore {
  /** By stream name; Map order is insertion order, so persistAll's order is deterministic. */
  private readonly table = new Map<string, OffsetEntry>();

  constructor(private readonly sender: OffsetSender) {}

  /** updateOffset: creates the entry, else moves it (only up with `increaseOnly`) unless frozen. */
  update(ref: QueueRef, offset: number, increaseOnly: boolean): void {
    const entry = this.table.get(ref.stream);
    if (entry === undefined) {
      this.table.set(ref.stream, { ref, offset, isFrozen: false });
      return;
    }
    if (entry.isFrozen) return;
    entry.offset = increaseOnly ? Math.max(entry.offset, offset) : offset;
  }

  /** updateAndFreezeOffset (OFFSET_ILLEGAL): sets the offset, and nothing moves it until the entry is removed. */
  updateAndFreeze(ref: QueueRef, offset: number): void {
    const entry = this.table.get(ref.stream);
    if (entry === undefined) this.table.set(ref.stream, { ref, offset, isFrozen: true });
    else {
      entry.offset = offset;
      entry.isFrozen = true;
    }
  }

  /** readOffset(READ_FROM_MEMORY): the offset, or -1 without an entry. */
  read(stream: string): number {
    return this.table.get(stream)?.offset ?? -1;
  }

  /** removeOffset (a queue given up, or removeDirtyOffset before one is taken). */
  remove(stream: string): void {
    this.table.delete(stream);
  }

  /** persist: sends the queue's offset if there is one. */
  persist(stream: string): void {
    const entry = this.table.get(stream);
    if (entry !== undefined) this.sender.updateConsumeOffsetToBroker(entry.ref, entry.offset);
  }

  /** persistAll: sends every held queue's offset; entries of queues no longer held are dropped. */
  persistAll(isHeld: (stream: string) => boolean): void {
    const unused: string[] = [];
    for (const [stream, entry] of this.table) {
      if (isHeld(stream)) this.sender.updateConsumeOffsetToBroker(entry.ref, entry.offset);
      else unused.push(stream);
    }
    for (const stream of unused) this.table.delete(stream);
  }
}
