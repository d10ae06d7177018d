/**
 * One process timer standing for many deadlines (request, delivery and
 * produce timeouts, fetch max-wait), as Kafka's own loops keep them: the
 * network client and the purgatories check expirations when they wake, they
 * do not arm a kernel timer per request.
 *
 * The owner asks for a wake-up by a deadline (armBy) and, when woken, expires
 * what is due and asks again for the next deadline. A deadline that was met
 * in the meantime (its request answered) is simply not found due: nothing is
 * cancelled per request, so a request costs no event and no heap entry.
 * Timeouts still fire at exactly their deadlines; the timer may also wake
 * early for a deadline that no longer exists, which costs one event.
 */
import { NO_EVENT, type EventHandle } from "../kernel/index.js";
import type { TimeNs } from "../kernel/index.js";
import type { WorldNode } from "./node.js";

export class DeadlineTimer {
  private handle: EventHandle = NO_EVENT;
  private atNs: TimeNs = Number.POSITIVE_INFINITY;
  private readonly onFireBound = (): void => {
    this.handle = NO_EVENT;
    this.atNs = Number.POSITIVE_INFINITY;
    this.onFire();
  };

  constructor(
    private readonly node: WorldNode,
    private readonly onFire: () => void,
  ) {}

  /** Makes sure the owner is woken no later than atNs (an earlier wake-up is kept). */
  armBy(atNs: TimeNs): void {
    if (this.handle !== NO_EVENT && this.atNs <= atNs) return;
    if (this.handle !== NO_EVENT) this.node.cancel(this.handle);
    this.atNs = atNs;
    this.handle = this.node.at(atNs, this.onFireBound);
  }

  get nowNs(): TimeNs {
    return this.node.now;
  }

  /** No wake-up is needed any more (nothing is waiting). */
  disarm(): void {
    if (this.handle === NO_EVENT) return;
    this.node.cancel(this.handle);
    this.handle = NO_EVENT;
    this.atNs = Number.POSITIVE_INFINITY;
  }
}

/**
 * Requests waiting with a deadline (Kafka's purgatories: produces waiting for
 * the high watermark, fetches waiting for data), in arrival order, expired by
 * one DeadlineTimer: when it fires, every item whose deadline has come is
 * removed, then handed to `onExpire` in arrival order.
 */
export class DeadlineList<T extends { readonly deadlineNs: TimeNs }> {
  /** The waiting items, in arrival order. The owner may replace it with a filtered copy. */
  items: T[] = [];
  private readonly timer: DeadlineTimer;

  /**
   * `isSettled`: an item answered otherwise (a fetch that got its data) is
   * dropped at the next wake-up instead of keeping the timer armed for its
   * deadline.
   */
  constructor(
    node: WorldNode,
    private readonly onExpire: (item: T) => void,
    private readonly isSettled: (item: T) => boolean = () => false,
  ) {
    this.timer = new DeadlineTimer(node, () => this.expire());
  }

  add(item: T): void {
    this.items.push(item);
    this.timer.armBy(item.deadlineNs);
  }

  /** Removes every item (the owner answers them otherwise) and stops the timer. */
  takeAll(): T[] {
    const all = this.items;
    this.items = [];
    this.timer.disarm();
    return all;
  }

  private expire(): void {
    const now = this.timer.nowNs;
    let nextNs = Number.POSITIVE_INFINITY;
    const expired: T[] = [];
    const still: T[] = [];
    for (const item of this.items) {
      if (this.isSettled(item)) continue;
      if (item.deadlineNs <= now) {
        expired.push(item);
      } else {
        still.push(item);
        if (item.deadlineNs < nextNs) nextNs = item.deadlineNs;
      }
    }
    this.items = still;
    for (const item of expired) this.onExpire(item);
    if (nextNs !== Number.POSITIVE_INFINITY) this.timer.armBy(nextNs);
  }
}
