/**
 * When a replica's log is fsynced (Kafka's log.flush.* policy), and how far
 * the last completed flush reached.
 *
 * - log.flush.interval.messages: the append that reaches the interval
 *   flushes the log, synchronously — Kafka's UnifiedLog.append calls flush()
 *   on the request (or replica fetcher) thread, so the produce response, or
 *   the follower's next fetch, waits for the fsync.
 * - log.flush.interval.ms: the background flusher's check flushes a log with
 *   unflushed messages whose last flush started that long ago; nobody waits.
 */
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { PartitionLog } from "./partition-log.js";

export class LogFlush {
  private messagesSinceFlush = 0;
  /** When the last flush of this log started (Kafka's lastFlushTime). */
  private lastFlushNs: number;
  /** The log end offset the last completed flush covered. */
  private flushedEndOffsetNow = 0;
  private readonly onFlushedBound = (_result: unknown, endOffset: number): void => {
    this.flushedEndOffsetNow = Math.max(this.flushedEndOffsetNow, endOffset);
    this.onFlushed();
  };

  constructor(
    private readonly node: WorldNode,
    private readonly disk: Disk,
    private readonly log: PartitionLog,
    private readonly intervalMessages: number,
    /** A flush completed: waiting answers may go. */
    private readonly onFlushed: () => void,
  ) {
    this.lastFlushNs = node.now;
  }

  get flushedEndOffset(): number {
    return this.flushedEndOffsetNow;
  }

  /** `messages` were appended: flushes if that reaches the interval. Returns the log end offset the flush covers, or 0 when none started. */
  afterAppend(messages: number): number {
    this.messagesSinceFlush += messages;
    if (this.messagesSinceFlush < this.intervalMessages) return 0;
    const endOffset = this.log.logEndOffset;
    this.start(endOffset);
    return endOffset;
  }

  /** The background flusher's check, every log.flush.scheduler.interval.ms. */
  flushIfDue(intervalNs: number): void {
    if (this.messagesSinceFlush === 0 || this.node.now - this.lastFlushNs < intervalNs) return;
    this.start(this.log.logEndOffset);
  }

  /** The log was truncated: a flush of the cut tail says nothing about what is appended in its place. */
  clampTo(logEndOffset: number): void {
    this.flushedEndOffsetNow = Math.min(this.flushedEndOffsetNow, logEndOffset);
  }

  private start(endOffset: number): void {
    this.messagesSinceFlush = 0;
    this.lastFlushNs = this.node.now;
    this.disk.fsync(this.log.diskFile, this.onFlushedBound, endOffset);
  }
}
