/**
 * An ActiveMQ queue on its broker (broker/region/Queue.java and
 * PrefetchSubscription.java, tag activemq-5.18.7; docs/research/
 * activemq-facts.md §3): messages in store order, consumers that each take
 * up to their prefetch (1000 by default) of dispatched, unacknowledged
 * messages, round robin over the consumers with room.
 *
 * - A message is dispatched as soon as it is added: with
 *   concurrentStoreAndDispatchQueues (the default) before its store has
 *   finished (the producer still waits for the store);
 * - an ack removes the message (the store's removal is async) and makes room;
 * - a consumer that goes away (its connection dropped) gives back what it
 *   held unacked: those go to the head of the pending list, their
 *   redeliveryCounter incremented (JMSRedelivered is counter > 0);
 * - a queue rebuilt from the store after a restart or failover starts every
 *   counter at 0 (persistJMSRedelivered is off by default), so a message
 *   redelivered then is not marked redelivered.
 *
 * - the store cursor's cache (AbstractStoreCursor): on while the queue's
 *   messages take less than cursorMemoryHighWaterMark (70%) of the memory
 *   limit (systemUsage memoryUsage, 1 GiB by default; a message counts
 *   Message.getSize(): its marshalled size, at least 1024 bytes more than
 *   the body), off above it and on again only once the queue is empty; a
 *   queue loaded from a non-empty store starts with it off. While it is
 *   on, persistent sends take the concurrent store-and-dispatch path.
 *
 * Not here yet: message groups, exclusive consumers, selectors, priorities.
 */
import { assert } from "../../kernel/index.js";
import type { StoredMessage } from "./kahadb-store.js";
import { MESSAGE_HEADER_BYTES } from "./openwire.js";

/** BrokerService: systemUsage memoryUsage limit when none is configured (1 GiB). */
export const MEMORY_USAGE_LIMIT_BYTES = 1024 ** 3;
/** BaseDestination.cursorMemoryHighWaterMark: the cursor stops caching above this share of the limit. */
const CURSOR_MEMORY_HIGH_WATER_MARK = 0.7;
/** Message.DEFAULT_MINIMUM_MESSAGE_SIZE: what a message adds to memory usage beside its marshalled size. */
const MINIMUM_MESSAGE_BYTES = 1024;

/** What a message counts in the destination's memory usage (Message.getSize()). */
function memoryBytesOf(message: StoredMessage): number {
  return MINIMUM_MESSAGE_BYTES + MESSAGE_HEADER_BYTES + message.bodyBytes;
}

/** A message as the queue holds it: the stored message and its delivery count since this broker loaded it. */
export interface QueuedMessage {
  readonly message: StoredMessage;
  redeliveryCounter: number;
}

/** Where dispatched messages go: the broker sends them down the consumer's connection. */
export interface DispatchTarget {
  readonly consumerId: string;
  dispatch(queued: QueuedMessage): void;
}

interface Subscription {
  readonly target: DispatchTarget;
  readonly prefetch: number;
  /** Dispatched and not acknowledged, in dispatch order. */
  readonly inFlight: Map<string, QueuedMessage>;
}

export class ActiveMqQueue {
  /** Waiting for a consumer with room, from pendingHead on (a head index: no shift per dispatch). */
  private pending: QueuedMessage[] = [];
  private pendingHead = 0;
  private readonly subscriptions: Subscription[] = [];
  /** Where round robin continues. */
  private nextSubscription = 0;
  private memoryBytesHeld = 0;
  private isCaching = true;

  constructor(
    readonly name: string,
    private readonly memoryLimitBytes = MEMORY_USAGE_LIMIT_BYTES,
  ) {}

  /** The store cursor caches new messages: persistent sends may take the concurrent store-and-dispatch path. */
  get isCacheEnabled(): boolean {
    return this.isCaching;
  }

  /** Memory usage of the messages held (pending and in flight). */
  get memoryBytes(): number {
    return this.memoryBytesHeld;
  }

  get pendingCount(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Messages held: pending and in flight. */
  get size(): number {
    return this.pendingCount + this.subscriptions.reduce((sum, subscription) => sum + subscription.inFlight.size, 0);
  }

  /** Loads what the store recovered (a broker's start or a failover): every counter starts at 0. */
  load(messages: readonly StoredMessage[]): void {
    assert(this.size === 0, `queue ${this.name}: load into a queue that holds messages`);
    this.pending = messages.map((message) => ({ message, redeliveryCounter: 0 }));
    this.pendingHead = 0;
    for (const message of messages) this.memoryBytesHeld += memoryBytesOf(message);
    this.isCaching = messages.length === 0;
    this.dispatch();
  }

  add(message: StoredMessage): void {
    this.pending.push({ message, redeliveryCounter: 0 });
    this.memoryBytesHeld += memoryBytesOf(message);
    if (this.memoryBytesHeld > CURSOR_MEMORY_HIGH_WATER_MARK * this.memoryLimitBytes) this.isCaching = false;
    this.dispatch();
  }

  /** A consumer registers; one already there under the same id (its client reconnected before the old connection was noticed gone) is replaced. */
  subscribe(target: DispatchTarget, prefetch: number): void {
    assert(Number.isSafeInteger(prefetch) && prefetch >= 0, `prefetch ${prefetch}`);
    this.unsubscribe(target.consumerId);
    this.subscriptions.push({ target, prefetch, inFlight: new Map() });
    this.dispatch();
  }

  /** The consumer acknowledged a message: it leaves the queue; the message, when it was in flight to that consumer (else null). */
  ack(consumerId: string, messageId: string): StoredMessage | null {
    const subscription = this.subscriptions.find((candidate) => candidate.target.consumerId === consumerId);
    const queued = subscription?.inFlight.get(messageId);
    if (queued === undefined) return null;
    subscription!.inFlight.delete(messageId);
    this.memoryBytesHeld -= memoryBytesOf(queued.message);
    if (this.size === 0) this.isCaching = true;
    this.dispatch();
    return queued.message;
  }

  /**
   * The consumer is gone: what it held unacked goes back to the head,
   * counted as redelivered. With `target`, only if the subscription is
   * still that one (a connection noticed dead after its client registered
   * again on a new one takes nothing from the new).
   */
  unsubscribe(consumerId: string, target?: DispatchTarget): void {
    const index = this.subscriptions.findIndex((candidate) => candidate.target.consumerId === consumerId);
    if (index < 0 || (target !== undefined && this.subscriptions[index]!.target !== target)) return;
    const [subscription] = this.subscriptions.splice(index, 1);
    const returned = [...subscription!.inFlight.values()];
    for (const queued of returned) queued.redeliveryCounter++;
    this.pending = [...returned, ...this.pending.slice(this.pendingHead)];
    this.pendingHead = 0;
    if (this.nextSubscription >= this.subscriptions.length) this.nextSubscription = 0;
    this.dispatch();
  }

  /** Pending messages go round robin to the consumers with room in their prefetch. */
  private dispatch(): void {
    const count = this.subscriptions.length;
    let idle = 0;
    while (this.pendingCount > 0 && idle < count) {
      const subscription = this.subscriptions[this.nextSubscription]!;
      this.nextSubscription = (this.nextSubscription + 1) % count;
      if (subscription.inFlight.size >= subscription.prefetch) {
        idle++;
        continue;
      }
      idle = 0;
      const queued = this.pending[this.pendingHead++]!;
      if (this.pendingHead > 1_024 && this.pendingHead * 2 > this.pending.length) {
        this.pending = this.pending.slice(this.pendingHead);
        this.pendingHead = 0;
      }
      subscription.inFlight.set(queued.message.messageId, queued);
      subscription.target.dispatch(queued);
    }
  }
}
