/**
 * The ready messages of one queue replica, oldest first, with the queue's
 * length rules: x-max-length with `drop-head` (the oldest are discarded) or
 * `reject-publish` (the publish is refused), and TTL expiry at the head (as
 * RabbitMQ does: only expired messages at the head are dropped, lazily).
 * Sources: https://www.rabbitmq.com/docs/maxlength, /docs/ttl.
 */
import { assert } from "../../kernel/index.js";
import { splitHead, type QueueSegment } from "./queue-segment.js";

export class QueueContent {
  private segments: QueueSegment[] = [];
  private head = 0;
  private countNow = 0;
  private bytesNow = 0;

  get count(): number {
    return this.countNow;
  }

  get bytes(): number {
    return this.bytesNow;
  }

  get isEmpty(): boolean {
    return this.countNow === 0;
  }

  /** The oldest ready message's queue sequence, or -1. */
  get headSeq(): number {
    return this.isEmpty ? -1 : this.segments[this.head]!.seq;
  }

  /** The head segment's expiry time (-1: none or empty). */
  snapshotHeadExpiry(): number {
    return this.isEmpty ? -1 : this.segments[this.head]!.expiresAtNs;
  }

  push(segment: QueueSegment): void {
    assert(segment.count > 0, "empty segment");
    this.segments.push(segment);
    this.countNow += segment.count;
    this.bytesNow += segment.count * segment.bytesEach;
  }

  /** Puts requeued messages back at the head, keeping queue order by sequence (RabbitMQ requeues to the original position). */
  requeue(returned: readonly QueueSegment[], isRedelivery = true): void {
    if (returned.length === 0) return;
    const live = this.segments.slice(this.head);
    for (const segment of returned) {
      if (isRedelivery) segment.redelivered = true;
      this.countNow += segment.count;
      this.bytesNow += segment.count * segment.bytesEach;
    }
    this.segments = [...returned, ...live].sort((a, b) => a.seq - b.seq);
    this.head = 0;
  }

  /** Takes up to `countMax` messages from the head (one segment or part of one). */
  take(countMax: number): QueueSegment | null {
    assert(countMax > 0, `take ${countMax}`);
    if (this.isEmpty) return null;
    const first = this.segments[this.head]!;
    const taken = first.count <= countMax ? this.shift() : splitHead(first, countMax);
    if (taken !== first) {
      this.countNow -= taken.count;
      this.bytesNow -= taken.count * taken.bytesEach;
    }
    return taken;
  }

  /** Drops up to `count` messages from the head (drop-head overflow); returns what was dropped. */
  dropHead(count: number): QueueSegment[] {
    const dropped: QueueSegment[] = [];
    let left = count;
    while (left > 0 && !this.isEmpty) {
      const taken = this.take(left);
      if (taken === null) break;
      dropped.push(taken);
      left -= taken.count;
    }
    return dropped;
  }

  /** Drops expired segments at the head; returns them. */
  dropExpired(nowNs: number): QueueSegment[] {
    const dropped: QueueSegment[] = [];
    while (!this.isEmpty) {
      const first = this.segments[this.head]!;
      if (first.expiresAtNs < 0 || first.expiresAtNs > nowNs) break;
      dropped.push(this.shift());
    }
    return dropped;
  }

  /** Removes every message with seq in [seqFirst, seqFirst + count) (a mirror dropping what the master settled). */
  removeSeqs(seqFirst: number, count: number): number {
    const end = seqFirst + count;
    let removed = 0;
    const kept: QueueSegment[] = [];
    for (let i = this.head; i < this.segments.length; i++) {
      const s = this.segments[i]!;
      const sEnd = s.seq + s.count;
      if (sEnd <= seqFirst || s.seq >= end) {
        kept.push(s);
        continue;
      }
      if (s.seq < seqFirst) kept.push({ ...s, count: seqFirst - s.seq });
      if (sEnd > end) kept.push({ ...s, seq: end, idFirst: s.idFirst + (end - s.seq), count: sEnd - end });
      const overlap = Math.min(sEnd, end) - Math.max(s.seq, seqFirst);
      removed += overlap;
      this.bytesNow -= overlap * s.bytesEach;
    }
    this.countNow -= removed;
    this.segments = kept;
    this.head = 0;
    return removed;
  }

  /** Every ready segment, oldest first (a copy). */
  snapshot(): QueueSegment[] {
    return this.segments.slice(this.head).map((s) => ({ ...s }));
  }

  /** Drops transient messages (a restart keeps only persistent ones). */
  keepPersistentOnly(): void {
    const kept = this.segments.slice(this.head).filter((s) => s.persistent);
    this.segments = [];
    this.head = 0;
    this.countNow = 0;
    this.bytesNow = 0;
    for (const s of kept) this.push(s);
  }

  clear(): void {
    this.segments = [];
    this.head = 0;
    this.countNow = 0;
    this.bytesNow = 0;
  }

  private shift(): QueueSegment {
    const first = this.segments[this.head]!;
    this.segments[this.head] = undefined as unknown as QueueSegment;
    this.head++;
    this.countNow -= first.count;
    this.bytesNow -= first.count * first.bytesEach;
    if (this.head > 1024 && this.head * 2 > this.segments.length) {
      this.segments = this.segments.slice(this.head);
      this.head = 0;
    }
    return first;
  }
}
