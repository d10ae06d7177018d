/**
 * A run of consecutive messages of one publish, as a queue holds them:
 * messages travel in batches (a client publishing back to back), so a
 * queue's content is a FIFO of segments, split when a consumer's prefetch or
 * an x-max-length cut falls inside one.
 */
import { assert } from "../../kernel/index.js";

export interface QueueSegment {
  /** The queue's sequence number of the first message (assigned by the master or the Raft log). */
  seq: number;
  idFirst: number;
  count: number;
  bytesEach: number;
  /** delivery_mode 2: written to the message store of a durable queue. */
  persistent: boolean;
  /** Virtual time after which the messages are dead (x-message-ttl or per-message expiration); -1 for never. */
  expiresAtNs: number;
  /** Delivered before and requeued: the next delivery carries redelivered=true. */
  redelivered: boolean;
}

/** The first `count` messages of a segment as a new segment (the rest stays in `segment`). */
export function splitHead(segment: QueueSegment, count: number): QueueSegment {
  assert(count > 0 && count < segment.count, `split ${count} of ${segment.count}`);
  const head: QueueSegment = { ...segment, count };
  segment.seq += count;
  segment.idFirst += count;
  segment.count -= count;
  return head;
}

export function segmentBytes(segment: QueueSegment): number {
  return segment.count * segment.bytesEach;
}
