/**
 * A ConsumeQueue: the index of one message queue (topic, queueId) into the
 * commit log, 20 bytes per message (physical offset 8, size 4, tag hash 8:
 * ConsumeQueue.CQ_STORE_UNIT_SIZE), so a consumer reads a queue by its own
 * offsets (0, 1, 2, …) while the messages themselves sit in the one commit
 * log. It is not written by the put: the reput service (message-store.ts)
 * builds it from the commit log shortly after, and after a crash recovery
 * rebuilds what the disk lost of it from the commit log (DefaultMessageStore
 * .recover; ConsumeQueue.truncateDirtyLogicFiles drops entries that point
 * past the recovered commit log).
 *
 * One disk record here is the entries of one put (its count × 20 bytes),
 * in one file per queue: the real queue rolls files every 300,000 entries
 * (mappedFileSizeConsumeQueue), which matters only for deleting old data.
 */
import { assert } from "../../kernel/index.js";
import type { Disk, DiskFile } from "../../world/disk.js";

/** The entries one put made in its queue. */
export interface ConsumeQueueEntry {
  readonly queueOffset: number;
  readonly count: number;
  readonly physicalOffset: number;
  /** Bytes of the put in the commit log. */
  readonly sizeBytes: number;
  /** The history's id of the put's first message: the simulation's shortcut for reading the message the pointer leads to. */
  readonly idFirst: number;
}

export const CQ_STORE_UNIT_BYTES = 20;

export class ConsumeQueue {
  readonly file: DiskFile<ConsumeQueueEntry>;
  private entriesList: ConsumeQueueEntry[] = [];
  private maxOffsetNow = 0;
  /** The queue's flushedPosition: how far its own flushes have forced the file (recovery starts it at the file's end). */
  private flushedBytesNow = 0;

  constructor(
    private readonly disk: Disk,
    readonly topic: string,
    readonly queueId: number,
  ) {
    this.file = disk.open<ConsumeQueueEntry>(consumeQueuePath(topic, queueId));
  }

  /** The offset the next message of this queue gets (the queue's max offset). */
  get maxOffset(): number {
    return this.maxOffsetNow;
  }

  get minOffset(): number {
    return this.entriesList.length === 0 ? this.maxOffsetNow : this.entriesList[0]!.queueOffset;
  }

  get entries(): readonly ConsumeQueueEntry[] {
    return this.entriesList;
  }

  /** The physical end of the last indexed put: how far the reput service has dispatched this queue. */
  get maxPhysicalEnd(): number {
    const last = this.entriesList[this.entriesList.length - 1];
    return last === undefined ? 0 : last.physicalOffset + last.sizeBytes;
  }

  /** Indexes a put; false when the disk is full (the entry is not written: the reput service will stop and retry). */
  put(entry: ConsumeQueueEntry): boolean {
    assert(entry.queueOffset === this.maxOffsetNow, `${this.topic}-${this.queueId}: entry at ${entry.queueOffset}, queue ends at ${this.maxOffsetNow}`);
    if (this.disk.append(this.file, entry, entry.count * CQ_STORE_UNIT_BYTES) === "disk-full") return false;
    this.entriesList.push(entry);
    this.maxOffsetNow = entry.queueOffset + entry.count;
    return true;
  }

  /** The index of the entry holding queue offset `offset` (entries.length when past the end). */
  indexOf(offset: number): number {
    let lo = 0;
    let hi = this.entriesList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const entry = this.entriesList[mid]!;
      if (entry.queueOffset + entry.count <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rebuilds the queue from its file, keeping the intact entries that point inside the commit log (below commitLogMaxOffset). */
  recover(commitLogMaxOffset: number): void {
    const records = this.file.records;
    let intact = 0;
    // Old data is never deleted in the model, so every queue starts at offset 0.
    let next = 0;
    while (intact < records.length) {
      const record = records[intact]!;
      const entry = record.value;
      if (record.torn || entry.queueOffset !== next || entry.physicalOffset + entry.sizeBytes > commitLogMaxOffset) break;
      next = entry.queueOffset + entry.count;
      intact++;
    }
    if (intact < records.length) this.disk.truncate(this.file, intact);
    this.entriesList = this.file.records.map((record) => record.value);
    this.maxOffsetNow = next;
    // Recovery sets the flushed position to where the recovered data ends (MappedFileQueue.setFlushedWhere).
    this.flushedBytesNow = this.file.cachedBytes;
  }

  /** Bytes written to the queue's file (its write position). */
  get writtenBytes(): number {
    return this.file.cachedBytes;
  }

  /** How far the queue's flushes have reached (MappedFile.flushedPosition). */
  get flushedBytes(): number {
    return this.flushedBytesNow;
  }

  /** A flush that began when the file held `bytes` has completed. */
  markFlushed(bytes: number): void {
    assert(bytes <= this.file.cachedBytes, `${this.topic}-${this.queueId}: flushed to ${bytes} past the write position ${this.file.cachedBytes}`);
    this.flushedBytesNow = Math.max(this.flushedBytesNow, bytes);
  }
}

export function consumeQueuePath(topic: string, queueId: number): string {
  return `store/consumequeue/${topic}/${queueId}/00000000000000000000`;
}
