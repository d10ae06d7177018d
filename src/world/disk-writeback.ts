/**
 * Background writeback (the OS flusher) of one disk, per file as Linux does
 * it (fs/fs-writeback.c).
 *
 * - A file joins the dirty list when it goes from clean to dirty, stamped
 *   with that time (inode->dirtied_when). Data becomes due when its file's
 *   stamp is older than expireNs (dirty_expire_centisecs, 30 s), or at once
 *   for every dirty file while dirty data is over backgroundBytes
 *   (dirty_background_bytes).
 * - Due files move to the io list (b_io) and are written in turn: each visit
 *   writes up to chunkBytes of the file (writeback_chunk_size: half a second
 *   of device bandwidth or dirty_limit / 8, whichever is less, plus 4 MiB,
 *   rounded down to 4 MiB), from where its submitted data ends, in device
 *   requests of at most mergeBytesMax (the block layer's max_sectors_kb). A
 *   file still dirty after its chunk goes to the back of the io list
 *   (requeue_io, b_more_io).
 * - Under the background threshold, a file on the io list that has not
 *   expired goes back to the dirty list and waits.
 *
 * What this buys: with P files written at once, each visit moves about
 * (dirty data / P) bytes and pays one seek, so on a spinning disk the
 * device's throughput slopes down as files multiply, as it does for Kafka's
 * one-file-per-partition logs.
 *
 * At most one writeback request is outstanding: an fsync or a read submitted
 * meanwhile queues behind one request, not behind all dirty data. The next
 * request is submitted the instant the previous completes, so the device does
 * not idle while writeback has work.
 *
 * Simplifications: Linux's flusher wakes every dirty_writeback_centisecs (5 s)
 * to look for expired files; this one wakes exactly when the oldest dirty
 * file expires. The device bandwidth in the chunk size is the profile's,
 * where Linux uses its running estimate. This is machine work: it survives a
 * process crash, and powerLoss() forgets it.
 */
import { assert } from "../kernel/assert.js";
import { NO_EVENT, type EventHandle } from "../kernel/event-queue.js";
import type { Scheduler } from "../kernel/scheduler.js";
import type { TimeNs } from "../kernel/time.js";
import type { DeviceRequest } from "./disk-device.js";
import type { DiskFile } from "./disk-file.js";
import { InodeQueue } from "./disk-inode-queue.js";
import type { WorldNode } from "./node.js";
import { MIB } from "./units.js";

/** MIN_WRITEBACK_PAGES in fs/fs-writeback.c: 4096 KiB of pages. */
export const MIN_WRITEBACK_BYTES = 4 * MIB;
/** DIRTY_SCOPE in include/linux/writeback.h. */
const DIRTY_SCOPE = 8;

/**
 * writeback_chunk_size() for background and periodic writeback (WB_SYNC_NONE):
 * min(avg_write_bandwidth / 2, dirty_limit / DIRTY_SCOPE), plus
 * MIN_WRITEBACK_PAGES, rounded down to a multiple of it.
 */
export function writebackChunkBytes(writeBandwidthBytesPerSec: number, dirtyLimitBytes: number): number {
  const halfSecondBytes = Math.floor(writeBandwidthBytesPerSec / 2);
  const scopedBytes = Math.floor(dirtyLimitBytes / DIRTY_SCOPE);
  const bytes = Math.min(halfSecondBytes, scopedBytes) + MIN_WRITEBACK_BYTES;
  return bytes - (bytes % MIN_WRITEBACK_BYTES);
}

export interface WritebackOptions {
  node: WorldNode;
  scheduler: Scheduler;
  expireNs: number;
  backgroundBytes: number;
  mergeBytesMax: number;
  chunkBytes: number;
  /** Bytes not yet durable over all files (dirty plus in flight). */
  dirtyBytes: () => number;
  /** Submits a device write of [start, end) of file; start must be file.submittedBytes. */
  submitWrite: (file: DiskFile, start: number, end: number) => DeviceRequest;
}

export class Writeback {
  readonly expireNs: number;
  readonly backgroundBytes: number;
  readonly mergeBytesMax: number;
  readonly chunkBytes: number;
  private readonly node: WorldNode;
  private readonly scheduler: Scheduler;
  private readonly dirtyBytes: () => number;
  private readonly submitWrite: (file: DiskFile, start: number, end: number) => DeviceRequest;
  /** Files dirty but not yet due, oldest stamp first (b_dirty). */
  private readonly dirtyList = new InodeQueue();
  /** Files due, written in turn (b_io and b_more_io). */
  private readonly ioList = new InodeQueue();
  /** The file being written and how much of its chunk is left. */
  private current: DiskFile | null = null;
  private chunkLeftBytes = 0;
  private request: DeviceRequest | null = null;
  private wakeEvent: EventHandle = NO_EVENT;
  private wakeAtNs: TimeNs = 0;
  private visitsTotal = 0;

  constructor(options: WritebackOptions) {
    this.node = options.node;
    this.scheduler = options.scheduler;
    this.expireNs = options.expireNs;
    this.backgroundBytes = options.backgroundBytes;
    this.mergeBytesMax = options.mergeBytesMax;
    this.chunkBytes = options.chunkBytes;
    this.dirtyBytes = options.dirtyBytes;
    this.submitWrite = options.submitWrite;
    assert(this.mergeBytesMax > 0, "writebackMergeBytesMax must be > 0");
    assert(this.chunkBytes >= MIN_WRITEBACK_BYTES, `writeback chunk ${this.chunkBytes} under ${MIN_WRITEBACK_BYTES}`);
  }

  /** Files the flusher has started a chunk of (each visit pays at most one seek). */
  get visits(): number {
    return this.visitsTotal;
  }

  /** [start, end) of file was just written to the page cache. */
  noteDirty(file: DiskFile, start: number): void {
    const now = this.scheduler.now;
    // Clean until this append (nothing waiting to be submitted): the file's
    // dirty time starts now. A file already on the io list stays there.
    if (start === file.submittedBytes) {
      file.dirtiedAtNs = now;
      if (file.writebackList !== "io") {
        file.writebackList = "dirty";
        this.dirtyList.push(file, now);
      }
    }
    // Over the background threshold the flusher starts now: run it in this
    // event rather than in a zero-delay one of its own (the same instant; a
    // busy flusher's completion looks again anyway).
    if (this.dirtyBytes() > this.backgroundBytes) this.run();
    else this.wakeBy(file.dirtiedAtNs + this.expireNs);
  }

  /** A device write finished; returns true if it was this writeback's request (the next is then issued). */
  onWriteDone(request: DeviceRequest): boolean {
    if (request !== this.request) return false;
    this.request = null;
    this.run();
    return true;
  }

  /** Power is gone: dirty data and the flusher's timer with it (the node already cancelled the event). */
  powerLoss(): void {
    const forget = (file: DiskFile): void => {
      file.writebackList = "none";
      file.dirtiedAtNs = -1;
    };
    this.dirtyList.forEach(forget);
    this.ioList.forEach(forget);
    if (this.current !== null) forget(this.current);
    this.dirtyList.clear();
    this.ioList.clear();
    this.current = null;
    this.chunkLeftBytes = 0;
    this.request = null;
    this.wakeEvent = NO_EVENT;
  }

  /**
   * Makes sure writeback looks again by atNs. An earlier wake-up already set
   * is kept, even if it will find nothing due (run() then sleeps again): that
   * costs one event, where moving it would cost a cancel and a push each time.
   */
  private wakeBy(atNs: TimeNs): void {
    if (this.request !== null) return; // its completion looks again
    const now = this.scheduler.now;
    if (atNs < now) atNs = now;
    if (this.wakeEvent !== NO_EVENT) {
      if (this.wakeAtNs <= atNs) return;
      this.scheduler.cancel(this.wakeEvent);
    }
    this.wakeAtNs = atNs;
    this.wakeEvent = this.node.afterOnMachine(atNs - now, this.onWake);
  }

  private readonly onWake = (): void => {
    this.wakeEvent = NO_EVENT;
    this.run();
  };

  /** Issues the next request of the current file's chunk, or starts the next due file; otherwise sleeps. */
  private run(): void {
    if (this.request !== null) return;
    for (;;) {
      const file = this.current;
      if (file !== null) {
        if (this.chunkLeftBytes > 0 && !file.isRemoved && file.submittedBytes < file.cachedBytes) {
          const start = file.submittedBytes;
          const end = file.writeEndFrom(start, Math.min(this.mergeBytesMax, this.chunkLeftBytes));
          this.chunkLeftBytes = Math.max(0, this.chunkLeftBytes - (end - start));
          this.request = this.submitWrite(file, start, end);
          return;
        }
        this.current = null;
        this.requeue(file);
      }
      const next = this.nextDueFile();
      if (next === null) {
        this.sleep();
        return;
      }
      this.current = next;
      this.chunkLeftBytes = this.chunkBytes;
      this.visitsTotal++;
    }
  }

  /** Its chunk is done: a file still dirty waits its next turn at the back of the io list (requeue_io). */
  private requeue(file: DiskFile): void {
    if (!file.isRemoved && file.submittedBytes < file.cachedBytes) {
      this.ioList.push(file, file.dirtiedAtNs);
    } else {
      file.writebackList = "none";
    }
  }

  /**
   * Moves files that are due from the dirty list to the io list (every dirty
   * file while over the background threshold, as background writeback takes
   * all inodes dirtied before now), then returns the first file of the io
   * list that is still dirty and due, or null.
   */
  private nextDueFile(): DiskFile | null {
    const isBackground = this.dirtyBytes() > this.backgroundBytes;
    const dueBeforeNs = isBackground ? this.scheduler.now : this.scheduler.now - this.expireNs;
    const dirtyList = this.dirtyList;
    while (!dirtyList.isEmpty) {
      const file = dirtyList.headFile();
      const stamp = dirtyList.headStamp();
      if (!isLiveDirtyEntry(file, stamp)) {
        dirtyList.shift();
        continue;
      }
      if (stamp > dueBeforeNs) break;
      dirtyList.shift();
      file.writebackList = "io";
      this.ioList.push(file, stamp);
    }
    const ioList = this.ioList;
    while (!ioList.isEmpty) {
      const file = ioList.headFile();
      ioList.shift();
      if (file.writebackList !== "io" || file.isRemoved) continue;
      if (file.submittedBytes === file.cachedBytes) {
        file.writebackList = "none";
        continue;
      }
      if (file.dirtiedAtNs > dueBeforeNs) {
        file.writebackList = "dirty";
        dirtyList.push(file, file.dirtiedAtNs);
        continue;
      }
      return file;
    }
    return null;
  }

  /** Nothing due: wake when the oldest dirty file expires. */
  private sleep(): void {
    const dirtyList = this.dirtyList;
    while (!dirtyList.isEmpty && !isLiveDirtyEntry(dirtyList.headFile(), dirtyList.headStamp())) dirtyList.shift();
    if (!dirtyList.isEmpty) this.wakeBy(dirtyList.headStamp() + this.expireNs);
  }
}

/**
 * A dirty-list entry is live while its file is on the dirty list with the
 * same stamp and still has data to submit. An entry whose file has since gone
 * clean (an fsync submitted everything) also takes the file off the list.
 */
function isLiveDirtyEntry(file: DiskFile, stamp: number): boolean {
  if (file.isRemoved || file.writebackList !== "dirty" || file.dirtiedAtNs !== stamp) return false;
  if (file.submittedBytes === file.cachedBytes) {
    file.writebackList = "none";
    return false;
  }
  return true;
}
