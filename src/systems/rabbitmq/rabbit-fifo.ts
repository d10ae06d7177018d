/**
 * rabbit_fifo, a quorum queue's state machine, as every member runs it on
 * the committed log: enqueues, consumers (checkout, cancel, their node
 * going down) and which messages each consumer has checked out, settlements.
 * It is deterministic: it reads nothing but the commands (each carries the
 * leader's clock when it was proposed, which decides TTL expiry), so every
 * member assigns the same message to the same consumer under the same
 * delivery tag. That is why consumers keep their unacknowledged messages
 * across a leader change: the new leader already knows what each consumer
 * holds, and only a consumer that goes away returns its messages (flagged
 * redelivered). Deliveries themselves are effects only the leader performs
 * (quorum-member.ts).
 * Source: rabbitmq-server deps/rabbit/src/rabbit_fifo.erl (checkout,
 * settle, return on consumer DOWN; "Quorum queues: checked-out messages are
 * part of the replicated state", https://www.rabbitmq.com/docs/quorum-queues).
 */
import { assert } from "../../kernel/index.js";
import { AppliedPublishes } from "./applied-publishes.js";
import type { QueueDeclaration } from "./config.js";
import { ConsumerSet, type QueueConsumer } from "./consumer-set.js";
import type { ChannelRef, QuorumCommand } from "./protocol.js";
import { QueueContent } from "./queue-content.js";
import type { QueueSegment } from "./queue-segment.js";

/** What applying a command asks the member to do: only the leader acts on it. */
export interface FifoEffects {
  /** A message was assigned to a consumer under `deliveryTag`. */
  delivered(consumer: QueueConsumer, deliveryTag: number, segment: QueueSegment): void;
  /** Messages past their TTL were dropped. */
  expired(segment: QueueSegment): void;
  /** A checkout was applied: the consumer is registered. */
  consumerAdded(ref: ChannelRef): void;
}

export class RabbitFifo {
  readonly content = new QueueContent();
  readonly consumers = new ConsumerSet();
  private seqNext = 0;
  /** Each enqueuer's (channel's) applied publishes, so a resend is confirmed, never enqueued twice. */
  private readonly applied = new AppliedPublishes();

  constructor(private readonly declaration: QueueDeclaration) {}

  apply(command: QuorumCommand, effects: FifoEffects): void {
    switch (command.op) {
      case "enqueue":
        this.enqueue(command.from, command.pubSeq, command.segment);
        break;
      case "settle":
        this.consumers.settle(command.consumer, command.deliveryTag);
        break;
      case "checkout":
        if (!this.consumers.has(command.consumer)) this.consumers.add(command.consumer, command.prefetch, command.autoAck);
        effects.consumerAdded(command.consumer);
        break;
      case "cancel":
        this.content.requeue(this.consumers.remove(command.consumer));
        break;
      case "down":
        this.content.requeue(this.consumers.removeOnNode(command.node));
        break;
      case "expire":
        break;
    }
    for (const expired of this.content.dropExpired(command.atNs)) effects.expired(expired);
    this.assign(effects);
  }

  /** This channel's publish was applied already (a resend): confirm it, do not enqueue it again. */
  hasApplied(from: ChannelRef, pubSeq: number, count: number): boolean {
    return this.applied.has(from, pubSeq, count);
  }

  /** Every message not yet settled. */
  liveSegments(): QueueSegment[] {
    return [...this.consumers.unackedSegments(), ...this.content.snapshot()].sort((a, b) => a.seq - b.seq);
  }

  private enqueue(from: ChannelRef, pubSeq: number, segmentIn: QueueSegment): void {
    this.applied.add(from, pubSeq, segmentIn.count);
    const segment: QueueSegment = { ...segmentIn, seq: this.seqNext, redelivered: false };
    this.seqNext += segment.count;
    this.content.push(segment);
    const maxLength = this.declaration.arguments?.["x-max-length"];
    if (maxLength !== undefined && this.content.count > maxLength && this.declaration.arguments?.["x-overflow"] !== "reject-publish") {
      this.content.dropHead(this.content.count - maxLength);
    }
  }

  /** Ready messages go to consumers with room, round robin: the same on every member. */
  private assign(effects: FifoEffects): void {
    while (!this.content.isEmpty) {
      const consumer = this.consumers.nextWithCapacity();
      if (consumer === null) return;
      const segment = this.content.take(this.consumers.capacityOf(consumer));
      assert(segment !== null, "non-empty content gave nothing");
      const deliveryTag = this.consumers.noteDelivery(consumer, segment);
      effects.delivered(consumer, deliveryTag, segment);
    }
  }
}
