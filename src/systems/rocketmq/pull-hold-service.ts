/**
 * Long polling (broker/.../longpolling/PullRequestHoldService): a pull that
 * finds no new message is held, by queue, until a message arrives for it
 * (the reput service's NotifyMessageArrivingListener) or its suspend time
 * passes. The service thread also looks at every held pull every 5 s
 * (waitForRunning(5000) with long polling on), so a pull whose time is up
 * is answered at the next such look, not at its exact deadline.
 */
import type { WorldNode } from "../../world/node.js";

const CHECK_INTERVAL_NS = 5_000_000_000;

export interface HeldPull<P> {
  /** What the broker needs to serve it again (the connection and the request). */
  readonly pull: P;
  readonly topic: string;
  readonly queueId: number;
  /** The offset it waits beyond. */
  readonly offset: number;
  readonly deadlineNs: number;
}

export class PullHoldService<P> {
  private readonly held = new Map<string, HeldPull<P>[]>();
  private readonly onCheckBound = (): void => this.onCheck();

  constructor(
    private readonly node: WorldNode,
    /** Serve the pull again (it finds messages now, or answers "no new message" when `isExpired`). */
    private readonly serve: (pull: P, isExpired: boolean) => void,
  ) {}

  start(): void {
    this.node.after(CHECK_INTERVAL_NS, this.onCheckBound);
  }

  hold(held: HeldPull<P>): void {
    const key = `${held.topic}\u0000${held.queueId}`;
    let list = this.held.get(key);
    if (list === undefined) {
      list = [];
      this.held.set(key, list);
    }
    list.push(held);
  }

  /** A message arrived: the queue's pulls waiting below maxOffset are served. */
  notifyMessageArriving(topic: string, queueId: number, maxOffset: number): void {
    const key = `${topic}\u0000${queueId}`;
    const list = this.held.get(key);
    if (list === undefined || list.length === 0) return;
    const keep: HeldPull<P>[] = [];
    const ready: HeldPull<P>[] = [];
    for (const held of list) (held.offset < maxOffset ? ready : keep).push(held);
    this.held.set(key, keep);
    for (const held of ready) this.serve(held.pull, false);
  }

  get heldCount(): number {
    let count = 0;
    for (const list of this.held.values()) count += list.length;
    return count;
  }

  private onCheck(): void {
    const now = this.node.now;
    for (const [key, list] of this.held) {
      const keep = list.filter((held) => held.deadlineNs > now);
      if (keep.length === list.length) continue;
      this.held.set(key, keep);
      for (const held of list) if (held.deadlineNs <= now) this.serve(held.pull, true);
    }
    this.node.after(CHECK_INTERVAL_NS, this.onCheckBound);
  }
}
