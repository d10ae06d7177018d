/**
 * Background writeback (the OS flusher) of one disk. Dirty data becomes due
 * when it is older than expireNs (Linux dirty_expire_centisecs) or as soon as
 * dirty data passes backgroundBytes (dirty_background_bytes). Due extents go
 * to the device in the order they were written, FIFO across files; each
 * request takes the oldest extent and the same file's extents right behind
 * it, up to mergeBytesMax.
 *
 * At most one writeback request is outstanding: an fsync or a read submitted
 * meanwhile queues behind one request, not behind all dirty data. The next
 * request is submitted the instant the previous completes, so the device does
 * not idle while writeback has work.
 *
 * Linux's flusher wakes every dirty_writeback_centisecs (5 s) to look for
 * expired inodes; this one wakes exactly when the oldest extent expires. This
 * is machine work: it survives a process crash, and powerLoss() forgets it.
 */
import { assert } from "../kernel/assert.js";
import { NO_EVENT, type EventHandle } from "../kernel/event-queue.js";
import type { Scheduler } from "../kernel/scheduler.js";
import type { TimeNs } from "../kernel/time.js";
import type { DeviceRequest } from "./disk-device.js";
import { DirtyExtents } from "./disk-dirty-extents.js";
import type { DiskFile } from "./disk-file.js";
import type { WorldNode } from "./node.js";

export interface WritebackOptions {
  node: WorldNode;
  scheduler: Scheduler;
  expireNs: number;
  backgroundBytes: number;
  mergeBytesMax: number;
  /** Bytes not yet durable over all files (dirty plus in flight). */
  dirtyBytes: () => number;
  /** Submits a device write of [start, end) of file; start must be file.submittedBytes. */
  submitWrite: (file: DiskFile, start: number, end: number) => DeviceRequest;
}

export class Writeback {
  readonly expireNs: number;
  readonly backgroundBytes: number;
  readonly mergeBytesMax: number;
  private readonly node: WorldNode;
  private readonly scheduler: Scheduler;
  private readonly dirtyBytes: () => number;
  private readonly submitWrite: (file: DiskFile, start: number, end: number) => DeviceRequest;
  private readonly extents = new DirtyExtents();
  private request: DeviceRequest | null = null;
  private wakeEvent: EventHandle = NO_EVENT;
  private wakeAtNs: TimeNs = 0;

  constructor(options: WritebackOptions) {
    this.node = options.node;
    this.scheduler = options.scheduler;
    this.expireNs = options.expireNs;
    this.backgroundBytes = options.backgroundBytes;
    this.mergeBytesMax = options.mergeBytesMax;
    this.dirtyBytes = options.dirtyBytes;
    this.submitWrite = options.submitWrite;
    assert(this.mergeBytesMax > 0, "writebackMergeBytesMax must be > 0");
  }

  /** [start, end) of file was just written to the page cache. */
  noteDirty(file: DiskFile, start: number, end: number): void {
    const now = this.scheduler.now;
    this.extents.push(file, start, end, now, this.mergeBytesMax);
    // Over the background threshold the flusher starts now: run it in this
    // event rather than in a zero-delay one of its own (the same instant; a
    // busy flusher's completion looks again anyway).
    if (this.dirtyBytes() > this.backgroundBytes) this.run();
    else this.wakeBy(now + this.expireNs);
  }

  /** The file was truncated to lengthBytes. */
  clampFile(file: DiskFile, lengthBytes: number): void {
    this.extents.clampFile(file, lengthBytes);
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
    this.extents.clear();
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
    if (this.wakeEvent !== NO_EVENT) {
      if (this.wakeAtNs <= atNs) return;
      this.scheduler.cancel(this.wakeEvent);
    }
    this.wakeAtNs = atNs;
    this.wakeEvent = this.node.afterOnMachine(atNs - this.scheduler.now, this.onWake);
  }

  private readonly onWake = (): void => {
    this.wakeEvent = NO_EVENT;
    this.run();
  };

  /** Issues the next request if the oldest dirty extent is due; otherwise sleeps until it is. */
  private run(): void {
    if (this.request !== null) return;
    const extents = this.extents;
    while (!extents.isEmpty && !extents.isLiveHead()) extents.shift();
    if (extents.isEmpty) return;
    const dueAtNs = extents.headDirtiedAtNs() + this.expireNs;
    if (this.dirtyBytes() <= this.backgroundBytes && dueAtNs > this.scheduler.now) {
      this.wakeBy(dueAtNs);
      return;
    }
    const file = extents.headFile();
    const start = file.submittedBytes;
    if (!(extents.headStart() === start)) assert(false, `${file.subject}: oldest dirty extent starts at ${extents.headStart()}, submitted ${start}`);
    let end = extents.headEnd();
    extents.shift();
    for (;;) {
      while (!extents.isEmpty && !extents.isLiveHead()) extents.shift();
      if (extents.isEmpty || extents.headFile() !== file || extents.headEnd() - start > this.mergeBytesMax) break;
      if (!(extents.headStart() === end)) assert(false, `${file.subject}: dirty extents not contiguous at ${end}`);
      end = extents.headEnd();
      extents.shift();
    }
    this.request = this.submitWrite(file, start, end);
  }
}
