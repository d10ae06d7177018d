/**
 * The consumers of one queue (one per channel in mqsim), served round robin,
 * each with its prefetch window (basic.qos: unacknowledged messages at most)
 * and its unacknowledged deliveries by delivery tag.
 */
import { assert } from "../../kernel/index.js";
import type { ChannelRef } from "./protocol.js";
import type { QueueSegment } from "./queue-segment.js";

export interface QueueConsumer {
  ref: ChannelRef;
  key: string;
  /** 0 = unlimited. */
  prefetch: number;
  autoAck: boolean;
  unacked: Map<number, QueueSegment>;
  unackedCount: number;
}

const UNLIMITED_BATCH = 1000;

export class ConsumerSet {
  private readonly list: QueueConsumer[] = [];
  private next = 0;
  private deliveryTagNext = 1;
  private unackedTotal = 0;

  get size(): number {
    return this.list.length;
  }

  get unackedCount(): number {
    return this.unackedTotal;
  }

  add(ref: ChannelRef, prefetch: number, autoAck: boolean): void {
    const key = keyOf(ref);
    assert(!this.list.some((c) => c.key === key), `consumer ${key} added twice`);
    this.list.push({ ref, key, prefetch, autoAck, unacked: new Map(), unackedCount: 0 });
  }

  has(ref: ChannelRef): boolean {
    const key = keyOf(ref);
    return this.list.some((c) => c.key === key);
  }

  /** Every consumer, in service order. */
  get all(): readonly QueueConsumer[] {
    return this.list;
  }

  /** Removes the consumer; returns its unacknowledged messages (to requeue). */
  remove(ref: ChannelRef): QueueSegment[] {
    const index = this.list.findIndex((c) => c.key === keyOf(ref));
    if (index < 0) return [];
    return this.drop(index);
  }

  removeOnNode(node: string): QueueSegment[] {
    const returned: QueueSegment[] = [];
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.ref.node === node) returned.push(...this.drop(i));
    return returned;
  }

  /** Removes everyone (the queue moves); returns every unacknowledged message. */
  removeAll(): QueueSegment[] {
    const returned: QueueSegment[] = [];
    while (this.list.length > 0) returned.push(...this.drop(this.list.length - 1));
    return returned;
  }

  /** Removes everyone, telling which channels they were on. */
  removeAllWithRefs(): { segments: QueueSegment[]; refs: { node: string; channel: number }[] } {
    const refs = this.list.map((c) => c.ref);
    return { segments: this.removeAll(), refs };
  }

  nextWithCapacity(): QueueConsumer | null {
    for (let tried = 0; tried < this.list.length; tried++) {
      const consumer = this.list[(this.next + tried) % this.list.length]!;
      if (this.capacityOf(consumer) > 0) {
        this.next = (this.next + tried + 1) % this.list.length;
        return consumer;
      }
    }
    return null;
  }

  capacityOf(consumer: QueueConsumer): number {
    if (consumer.autoAck || consumer.prefetch === 0) return UNLIMITED_BATCH;
    return consumer.prefetch - consumer.unackedCount;
  }

  noteDelivery(consumer: QueueConsumer, segment: QueueSegment): number {
    const tag = this.deliveryTagNext++;
    if (!consumer.autoAck) {
      consumer.unacked.set(tag, segment);
      consumer.unackedCount += segment.count;
      this.unackedTotal += segment.count;
    }
    return tag;
  }

  settle(ref: ChannelRef, deliveryTag: number): QueueSegment | null {
    const consumer = this.list.find((c) => c.key === keyOf(ref));
    if (consumer === undefined) return null;
    const segment = consumer.unacked.get(deliveryTag);
    if (segment === undefined) return null;
    consumer.unacked.delete(deliveryTag);
    consumer.unackedCount -= segment.count;
    this.unackedTotal -= segment.count;
    return segment;
  }

  oldestUnackedSeq(): number {
    let oldest = -1;
    for (const consumer of this.list) for (const segment of consumer.unacked.values()) if (oldest < 0 || segment.seq < oldest) oldest = segment.seq;
    return oldest;
  }

  unackedSegments(): QueueSegment[] {
    const all: QueueSegment[] = [];
    for (const consumer of this.list) for (const segment of consumer.unacked.values()) all.push({ ...segment });
    return all;
  }

  private drop(index: number): QueueSegment[] {
    const consumer = this.list[index]!;
    this.list.splice(index, 1);
    if (this.next > index) this.next--;
    if (this.list.length > 0) this.next %= this.list.length;
    else this.next = 0;
    const returned = [...consumer.unacked.values()];
    this.unackedTotal -= consumer.unackedCount;
    return returned;
  }
}

export function keyOf(ref: ChannelRef): string {
  return `${ref.node}/${ref.channel}`;
}
