/**
 * rabbit_fifo's enqueuer table, as mqsim needs it: which publishes of each
 * channel a quorum queue's state machine has applied, so a publish resent to
 * a new leader (quorum-member.ts) is confirmed rather than enqueued twice.
 * rabbit_fifo keeps a next sequence number per enqueuer because its client
 * numbers only what it sends to that queue, without gaps; a channel's
 * publish sequence has gaps (publishes routed elsewhere) and resends may
 * arrive after later publishes, so this keeps the applied sequence numbers
 * as ranges: one per channel when it publishes to this queue only, more when
 * its publishes alternate between queues (as many as a set would hold).
 * Every member applies every publish, in order as a rule: that case extends
 * or appends the last range without allocating, and asking about a new
 * publish (above every range) is answered from the last range alone.
 */
import { assert } from "../../kernel/index.js";
import type { ChannelRef } from "./protocol.js";

export class AppliedPublishes {
  /** Per channel, disjoint [start, end) ranges in increasing order. */
  private readonly ranges = new Map<string, number[]>();

  add(from: ChannelRef, pubSeq: number, count: number): void {
    assert(Number.isSafeInteger(pubSeq) && count > 0, `applied publish ${pubSeq}+${count}`);
    const key = keyOf(from);
    const list = this.ranges.get(key);
    if (list === undefined) {
      this.ranges.set(key, [pubSeq, pubSeq + count]);
      return;
    }
    const lastEnd = list[list.length - 1]!;
    if (pubSeq === lastEnd) {
      list[list.length - 1] = pubSeq + count;
      return;
    }
    if (pubSeq > lastEnd) {
      list.push(pubSeq, pubSeq + count);
      return;
    }
    // Out of order (a resend that came late): merge it in.
    let start = pubSeq;
    let end = pubSeq + count;
    const merged: number[] = [];
    let isPlaced = false;
    for (let i = 0; i < list.length; i += 2) {
      const rangeStart = list[i]!;
      const rangeEnd = list[i + 1]!;
      if (rangeEnd < start) merged.push(rangeStart, rangeEnd);
      else if (end < rangeStart) {
        if (!isPlaced) merged.push(start, end);
        isPlaced = true;
        merged.push(rangeStart, rangeEnd);
      } else {
        start = Math.min(start, rangeStart);
        end = Math.max(end, rangeEnd);
      }
    }
    if (!isPlaced) merged.push(start, end);
    this.ranges.set(key, merged);
  }

  /** Every message of this publish was applied. */
  has(from: ChannelRef, pubSeq: number, count: number): boolean {
    const list = this.ranges.get(keyOf(from));
    if (list === undefined || pubSeq >= list[list.length - 1]!) return false;
    for (let i = list.length - 2; i >= 0; i -= 2) if (list[i]! <= pubSeq && pubSeq + count <= list[i + 1]!) return true;
    return false;
  }
}

function keyOf(from: ChannelRef): string {
  return `${from.node}/${from.channel}`;
}
