/**
 * How the commit log reaches the disk (flushDiskType), as RocketMQ's flush
 * services do it (store/.../CommitLog.java: FlushRealTimeService,
 * GroupCommitService):
 *
 * - ASYNC_FLUSH (default): a thread wakes every flushIntervalCommitLog
 *   (500 ms) and flushes when at least flushCommitLogLeastPages (4) pages are
 *   dirty, or whatever is dirty once flushCommitLogThoroughInterval (10 s)
 *   has passed since the last such flush. A put is answered without waiting:
 *   what a power loss takes is what had not been flushed (nor written back by
 *   the OS on its own).
 * - SYNC_FLUSH: a put hands a request (the log offset it needs flushed) to
 *   the GroupCommitService thread and its answer waits for it. The thread
 *   flushes whatever is in the log when it starts, so requests that arrive
 *   during a flush share the next one (group commit). A request not covered
 *   within syncFlushTimeout is answered FLUSH_DISK_TIMEOUT: the message is
 *   stored and may yet be flushed, but the producer is not told it is safe.
 *   With no request the thread still flushes every 10 ms (doCommit's "flush
 *   anyway" branch): that is how a SYNC_FLUSH slave's HA copies reach its
 *   disk.
 *
 * A flush is one fsync of each mapped file with unflushed data (the real
 * thread calls MappedByteBuffer.force per file). One flush runs at a time.
 */
import { assert, RingQueue } from "../../kernel/index.js";
import { DeadlineTimer } from "../../world/deadline-timer.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { CommitLog } from "./commit-log.js";

export type FlushStatus = "PUT_OK" | "FLUSH_DISK_TIMEOUT";
export type FlushCallback<A> = (status: FlushStatus, arg: A) => void;

const PAGE_BYTES = 4096;
const NS_PER_MS = 1_000_000;
/** GroupCommitService waits 10 ms for requests between rounds. */
const IDLE_FLUSH_NS = 10 * NS_PER_MS;

/** The part both services share: one flush at a time over the files with unflushed data, and how far the last one reached. */
class Flusher {
  private flushedOffsetNow = 0;
  private isFlushingNow = false;
  private filesLeft = 0;
  private targetOffset = 0;
  private readonly onFileFlushedBound = (): void => this.onFileFlushed();

  constructor(
    private readonly node: WorldNode,
    private readonly disk: Disk,
    private readonly log: CommitLog,
    private readonly onFlushed: () => void,
  ) {
    // RocketMQ takes what recovery found as flushed (MappedFileQueue.setFlushedWhere(processOffset)), even what a process
    // crash left dirty in the OS's page cache: the OS writes that back on its own, or a power loss takes it.
    this.flushedOffsetNow = log.maxOffset;
  }

  get flushedOffset(): number {
    return this.flushedOffsetNow;
  }

  get isFlushing(): boolean {
    return this.isFlushingNow;
  }

  /** Flushes everything in the log now; false when a flush is already running or nothing is unflushed. */
  start(): boolean {
    if (this.isFlushingNow || this.log.maxOffset === this.flushedOffsetNow) return false;
    this.isFlushingNow = true;
    this.targetOffset = this.log.maxOffset;
    const files = this.log.mappedFiles.filter((file) => file.durableBytes < file.cachedBytes);
    this.filesLeft = files.length;
    if (files.length === 0) {
      // Written back by the OS already: the flush has nothing to write, and returns at once.
      this.filesLeft = 1;
      this.node.after(0, this.onFileFlushedBound);
      return true;
    }
    for (const file of files) this.disk.fsync(file, this.onFileFlushedBound, null);
    return true;
  }

  private onFileFlushed(): void {
    this.filesLeft--;
    if (this.filesLeft > 0) return;
    assert(this.targetOffset >= this.flushedOffsetNow, `flush to ${this.targetOffset} behind ${this.flushedOffsetNow}`);
    this.flushedOffsetNow = this.targetOffset;
    this.isFlushingNow = false;
    this.onFlushed();
  }
}

/** ASYNC_FLUSH: FlushRealTimeService. */
export class AsyncFlushService {
  private readonly flusher: Flusher;
  private lastThoroughNs: number;
  private readonly onTickBound = (): void => this.onTick();

  constructor(
    private readonly node: WorldNode,
    disk: Disk,
    private readonly log: CommitLog,
    private readonly options: { flushIntervalCommitLog: number; flushCommitLogLeastPages: number; flushCommitLogThoroughInterval: number },
  ) {
    this.flusher = new Flusher(node, disk, log, () => undefined);
    this.lastThoroughNs = node.now;
  }

  get flushedOffset(): number {
    return this.flusher.flushedOffset;
  }

  start(): void {
    this.node.after(this.options.flushIntervalCommitLog * NS_PER_MS, this.onTickBound);
  }

  private onTick(): void {
    const isThorough = this.node.now - this.lastThoroughNs >= this.options.flushCommitLogThoroughInterval * NS_PER_MS;
    if (isThorough) this.lastThoroughNs = this.node.now;
    const dirtyPages = Math.floor(this.log.maxOffset / PAGE_BYTES) - Math.floor(this.flusher.flushedOffset / PAGE_BYTES);
    if (isThorough || dirtyPages >= this.options.flushCommitLogLeastPages) this.flusher.start();
    this.node.after(this.options.flushIntervalCommitLog * NS_PER_MS, this.onTickBound);
  }
}

interface FlushRequest {
  nextOffset: number;
  deadlineNs: number;
  done: FlushCallback<unknown>;
  arg: unknown;
}

/** SYNC_FLUSH: GroupCommitService. */
export class GroupCommitService {
  private readonly flusher: Flusher;
  /** Requests in arrival order; with one timeout for all, also in deadline order. */
  private readonly pending = new RingQueue<FlushRequest>(16);
  private readonly deadlines: DeadlineTimer;
  private readonly onIdleTickBound = (): void => this.onIdleTick();

  constructor(
    private readonly node: WorldNode,
    disk: Disk,
    log: CommitLog,
    private readonly syncFlushTimeoutMs: number,
  ) {
    this.flusher = new Flusher(node, disk, log, () => this.onFlushed());
    this.deadlines = new DeadlineTimer(node, () => this.onDeadline());
  }

  /** The thread's idle loop: waitForRunning(10), then a flush of whatever is unflushed. */
  start(): void {
    this.node.after(IDLE_FLUSH_NS, this.onIdleTickBound);
  }

  private onIdleTick(): void {
    this.flusher.start();
    this.node.after(IDLE_FLUSH_NS, this.onIdleTickBound);
  }

  get flushedOffset(): number {
    return this.flusher.flushedOffset;
  }

  /** Answers `done(status, arg)` once the log is flushed up to nextOffset, or FLUSH_DISK_TIMEOUT after syncFlushTimeout. */
  request<A>(nextOffset: number, done: FlushCallback<A>, arg: A): void {
    if (nextOffset <= this.flusher.flushedOffset) {
      done("PUT_OK", arg);
      return;
    }
    const deadlineNs = this.deadlines.nowNs + this.syncFlushTimeoutMs * NS_PER_MS;
    this.pending.push({ nextOffset, deadlineNs, done: done as FlushCallback<unknown>, arg });
    this.deadlines.armBy(deadlineNs);
    this.flusher.start();
  }

  private onFlushed(): void {
    this.answerCovered();
    if (this.pending.length > 0) this.flusher.start();
    else this.deadlines.disarm();
  }

  /** Answers, in order, the requests the flushes so far cover (an earlier one may be waiting on a later offset only if it timed out). */
  private answerCovered(): void {
    const flushed = this.flusher.flushedOffset;
    let kept = this.pending.length;
    while (kept-- > 0) {
      const request = this.pending.shift()!;
      if (request.nextOffset <= flushed) request.done("PUT_OK", request.arg);
      else this.pending.push(request);
    }
  }

  private onDeadline(): void {
    const now = this.deadlines.nowNs;
    while (this.pending.length > 0 && this.pending.peek()!.deadlineNs <= now) {
      const request = this.pending.shift()!;
      request.done("FLUSH_DISK_TIMEOUT", request.arg);
    }
    const next = this.pending.peek();
    if (next !== undefined) this.deadlines.armBy(next.deadlineNs);
  }
}
