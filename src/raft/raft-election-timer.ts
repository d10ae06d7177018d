/**
 * A member's election timer (Raft §5.2): a randomized timeout drawn from the
 * member's rng at every election and role change, a deadline that a
 * leader's messages (and a granted vote) push by that timeout, and one
 * scheduled event per timeout rather than one per message: when the event
 * finds the deadline pushed, it waits for the new one.
 */
import type { EventHandle } from "../kernel/index.js";
import type { RaftHost, RaftTiming } from "./raft-messages.js";

export interface ElectionTimerOwner {
  /** Whether the timer should still act (a leader's does not). */
  isElecting(): boolean;
  /** The deadline passed with no leader heard from. */
  onElectionTimeout(): void;
}

export class ElectionTimer {
  private timer: EventHandle | null = null;
  private timerAtNs = 0;
  private deadlineNs = 0;
  private timeoutNs = 0;
  private readonly onTimerBound = (): void => this.onTimer();

  constructor(
    private readonly host: Pick<RaftHost<unknown>, "node" | "rng">,
    private readonly timing: Readonly<Required<RaftTiming>>,
    private readonly owner: ElectionTimerOwner,
  ) {}

  /** An event is scheduled (a follower or candidate always has one). */
  get isArmed(): boolean {
    return this.timer !== null;
  }

  /**
   * Draws a new timeout and sets the deadline from now; a start range sets
   * only this first deadline (a leader's messages push it by the usual one).
   */
  arm(startRange: { min: number; max: number } | null = null): void {
    const { electionTimeoutNsMin: min, electionTimeoutNsMax: max } = this.timing;
    this.timeoutNs = this.host.rng.int(min, max - 1);
    const firstTimeoutNs = startRange === null ? this.timeoutNs : this.host.rng.int(startRange.min, startRange.max - 1);
    this.deadlineNs = this.host.node.now + firstTimeoutNs;
    if (this.timer !== null && this.timerAtNs <= this.deadlineNs) return;
    this.stop();
    this.timer = this.host.node.at(this.deadlineNs, this.onTimerBound);
    this.timerAtNs = this.deadlineNs;
  }

  /** A leader was heard from (or a vote granted): the deadline moves a timeout from now. */
  push(): void {
    this.deadlineNs = this.host.node.now + this.timeoutNs;
  }

  stop(): void {
    if (this.timer !== null) this.host.node.cancel(this.timer);
    this.timer = null;
  }

  private onTimer(): void {
    this.timer = null;
    if (!this.owner.isElecting()) return;
    if (this.host.node.now < this.deadlineNs) {
      // The deadline was pushed: one timer event per timeout, not one per message.
      this.timer = this.host.node.at(this.deadlineNs, this.onTimerBound);
      this.timerAtNs = this.deadlineNs;
      return;
    }
    this.owner.onElectionTimeout();
  }
}
