/**
 * The virtual clock and the run loop.
 *
 * Events fire in (time, sequence) order. Every event belongs to a *group*
 * (group 0 is the root and lives forever). A group is how the world ties
 * timers and in-flight work to a node incarnation without asking every
 * callback "am I still alive?":
 * - `cancelGroup(g)` bumps the group's epoch: every event scheduled under an
 *   older epoch is dropped when it reaches the front, in O(1) for the caller;
 * - `suspendGroup(g)` holds the group's events as they come due (a paused
 *   process); `resumeGroup(g)` releases them at the current time, in order.
 *
 * Every run ends with a typed result, never a hang: it stops when the queue is
 * empty, when a requested time or predicate is reached, or when a budget (max
 * events, max virtual time, events without time advancing) is exhausted.
 */
import { assert, assertNonNegativeInteger } from "./assert.js";
import type { Digest64 } from "./digest.js";
import { EventQueue, slotOfHandle, type EventFn, type EventHandle, type TieBreaker } from "./event-queue.js";
import type { DurationNs, TimeNs } from "./time.js";

export type GroupId = number;
export const ROOT_GROUP: GroupId = 0;

export interface Budgets {
  /** Stop with `events-budget` once this many events have fired in this scheduler's life. */
  eventsMax: number;
  /** Stop with `time-budget` rather than fire an event later than this. */
  timeNsMax: TimeNs;
  /**
   * Stop with `no-progress` after this many consecutive events at one virtual
   * instant: a zero-delay livelock would otherwise spin forever.
   */
  eventsAtOneInstantMax: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  eventsMax: Number.MAX_SAFE_INTEGER,
  timeNsMax: Number.MAX_SAFE_INTEGER,
  eventsAtOneInstantMax: 10_000_000,
};

export type StopReason =
  /** Nothing left to do. */
  | "idle"
  /** The `untilNs` of this run was reached; events after it stay pending. */
  | "time-reached"
  /** The `until` predicate of this run returned true. */
  | "predicate"
  /** `stop()` was called from inside an event. */
  | "stopped"
  | "events-budget"
  | "time-budget"
  /** The run's records reached its memory budget (see exhaust()). */
  | "memory-budget"
  | "no-progress";

export interface RunResult {
  reason: StopReason;
  timeNs: TimeNs;
  /** Events fired during this call. */
  eventsFired: number;
}

export interface RunOptions {
  /** Fire every event with time <= untilNs, then set the clock to untilNs. */
  untilNs?: TimeNs;
  /** Checked after every event; the run stops once it returns true. */
  until?: () => boolean;
}

export interface SchedulerOptions {
  budgets?: Partial<Budgets>;
  /** Shuffle events that fall at the same instant, from a seeded source (explores races). */
  tieBreaker?: TieBreaker | null;
  /** When given, every fired event's time is fed into it, so the digest covers event order. */
  digest?: Digest64 | null;
}

export function isBudgetExhausted(reason: StopReason): boolean {
  return reason === "events-budget" || reason === "time-budget" || reason === "memory-budget" || reason === "no-progress";
}

export class Scheduler {
  readonly budgets: Budgets;
  private readonly queue: EventQueue;
  private readonly digest: Digest64 | null;

  private groupEpoch: Uint32Array = new Uint32Array(16);
  private groupSuspended: Uint8Array = new Uint8Array(16);
  private groupDeferred: number[][] = [];
  private groupCount = 1;

  /**
   * Where an event due after the time budget is parked: it can never fire
   * (the run stops first), but it still holds its slot so its handle stays
   * cancellable. Clamping there keeps a model's "never" (a gap of Infinity,
   * a transfer of 1 GiB over an 8 bps NIC) from overflowing exact integer
   * time.
   */
  private readonly neverNs: TimeNs;
  private eventsTotal = 0;
  private eventsAtInstant = 0;
  private instant = -1;
  private stopRequested = false;
  /** A budget a model ran out of (memory): this run and every later one end at once with it. */
  private exhaustedBy: StopReason | null = null;

  constructor(options: SchedulerOptions = {}) {
    this.budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
    assertNonNegativeInteger(this.budgets.eventsMax, "budgets.eventsMax");
    assertNonNegativeInteger(this.budgets.timeNsMax, "budgets.timeNsMax");
    assertNonNegativeInteger(this.budgets.eventsAtOneInstantMax, "budgets.eventsAtOneInstantMax");
    this.neverNs = Math.min(this.budgets.timeNsMax + 1, Number.MAX_SAFE_INTEGER);
    this.queue = new EventQueue({ tieBreaker: options.tieBreaker ?? null });
    this.digest = options.digest ?? null;
    this.groupDeferred.push([]);
  }

  /** Current virtual time in integer nanoseconds. */
  get now(): TimeNs {
    return this.queue.now;
  }

  /**
   * Events waiting in the queue. Events held by a suspended group are not
   * counted until resumed; events of a cancelled group are counted until they
   * reach the front and are dropped (use isPending for one event's state).
   */
  get pendingCount(): number {
    return this.queue.size;
  }

  /** Events fired over this scheduler's life. */
  get eventsFired(): number {
    return this.eventsTotal;
  }

  at(timeNs: TimeNs, fn: EventFn, arg?: unknown, group: GroupId = ROOT_GROUP): EventHandle {
    return this.queue.push(timeNs > this.neverNs ? this.neverNs : timeNs, fn, arg, group, this.groupEpoch[group]!);
  }

  after(delayNs: DurationNs, fn: EventFn, arg?: unknown, group: GroupId = ROOT_GROUP): EventHandle {
    if (!(delayNs >= 0)) assert(false, `negative delay ${delayNs}`);
    const timeNs = this.queue.now + delayNs;
    return this.queue.push(timeNs > this.neverNs ? this.neverNs : timeNs, fn, arg, group, this.groupEpoch[group]!);
  }

  /**
   * Returns false if the event already fired or was cancelled, by itself or
   * with its group (a stale handle is harmless).
   */
  cancel(handle: EventHandle): boolean {
    if (!this.isPending(handle)) return false;
    return this.queue.cancel(handle);
  }

  /** False once the event fired or was cancelled, including by cancelGroup (which the queue learns lazily). */
  isPending(handle: EventHandle): boolean {
    if (!this.queue.isPending(handle)) return false;
    const slot = slotOfHandle(handle);
    const group = this.queue.slotGroup[slot]!;
    return group === ROOT_GROUP || this.queue.slotEpoch[slot] === this.groupEpoch[group];
  }

  /** Asks the current run to stop after the current event. */
  stop(): void {
    this.stopRequested = true;
  }

  /**
   * A budget kept outside the scheduler ran out (the history's records, for
   * memory): the current run stops after the current event, and every later
   * run() returns at once with the same reason. Deterministic, as the count
   * that triggers it is.
   */
  exhaust(reason: "memory-budget"): void {
    this.exhaustedBy = reason;
    this.stopRequested = true;
  }

  newGroup(): GroupId {
    const group = this.groupCount++;
    if (group >= this.groupEpoch.length) {
      const epoch = new Uint32Array(this.groupEpoch.length * 2);
      epoch.set(this.groupEpoch);
      this.groupEpoch = epoch;
      const suspended = new Uint8Array(this.groupSuspended.length * 2);
      suspended.set(this.groupSuspended);
      this.groupSuspended = suspended;
    }
    this.groupDeferred.push([]);
    return group;
  }

  /** Drops every pending event of the group (including deferred ones). */
  cancelGroup(group: GroupId): void {
    assert(group > ROOT_GROUP && group < this.groupCount, `cannot cancel group ${group}`);
    this.groupEpoch[group] = this.groupEpoch[group]! + 1;
    const deferred = this.groupDeferred[group]!;
    for (const slot of deferred) this.queue.release(slot);
    deferred.length = 0;
    this.groupSuspended[group] = 0;
  }

  suspendGroup(group: GroupId): void {
    assert(group > ROOT_GROUP && group < this.groupCount, `cannot suspend group ${group}`);
    this.groupSuspended[group] = 1;
  }

  /** Releases the group's held events at the current time, in their original order (cancelled ones are freed). */
  resumeGroup(group: GroupId): void {
    assert(group > ROOT_GROUP && group < this.groupCount, `cannot resume group ${group}`);
    this.groupSuspended[group] = 0;
    const deferred = this.groupDeferred[group]!;
    for (const slot of deferred) this.queue.requeue(slot);
    deferred.length = 0;
  }

  isSuspended(group: GroupId): boolean {
    return this.groupSuspended[group] === 1;
  }

  /** Fires events until the queue is empty, a requested limit is reached, or a budget runs out. */
  run(options: RunOptions = {}): RunResult {
    const untilNs = options.untilNs ?? Infinity;
    const until = options.until ?? null;
    assert(untilNs >= this.queue.now, `run until ${untilNs} is before now ${this.queue.now}`);
    const queue = this.queue;
    const digest = this.digest;
    const { eventsMax, timeNsMax, eventsAtOneInstantMax } = this.budgets;
    const firedBefore = this.eventsTotal;
    this.stopRequested = false;
    const result = (reason: StopReason): RunResult => ({
      reason,
      timeNs: queue.now,
      eventsFired: this.eventsTotal - firedBefore,
    });
    if (this.exhaustedBy !== null) return result(this.exhaustedBy);

    for (;;) {
      const time = queue.peekTime();
      if (time === Infinity) {
        if (untilNs !== Infinity && untilNs <= timeNsMax) {
          queue.advanceTo(untilNs);
          return result("time-reached");
        }
        return result("idle");
      }
      // A cancelled group's event is dropped before any limit is looked at, as
      // peekTime drops cancelled events: a dead event must neither move the
      // clock nor end the run on a budget.
      const front = queue.frontSlot();
      const frontGroup = queue.slotGroup[front]!;
      if (frontGroup !== ROOT_GROUP && queue.slotEpoch[front] !== this.groupEpoch[frontGroup]) {
        queue.dropFront();
        continue;
      }
      // Past timeNsMax the time budget decides, as on an empty queue: the clock never passes it.
      if (time > untilNs && untilNs <= timeNsMax) {
        queue.advanceTo(untilNs);
        return result("time-reached");
      }
      if (time > timeNsMax) return result("time-budget");
      if (this.eventsTotal >= eventsMax) return result("events-budget");
      if (time === this.instant && this.eventsAtInstant >= eventsAtOneInstantMax) return result("no-progress");

      const slot = queue.popFront();
      if (frontGroup !== ROOT_GROUP && this.groupSuspended[frontGroup] === 1) {
        queue.park(slot);
        this.groupDeferred[frontGroup]!.push(slot);
        continue;
      }
      if (time === this.instant) {
        this.eventsAtInstant++;
      } else {
        this.instant = time;
        this.eventsAtInstant = 1;
      }
      const fn = queue.fnOf(slot);
      const arg = queue.argOf(slot);
      queue.release(slot);
      this.eventsTotal++;
      if (digest !== null) digest.mixNumber(time);
      fn(arg);
      if (this.stopRequested) {
        this.stopRequested = false;
        return result(this.exhaustedBy ?? "stopped");
      }
      if (until !== null && until()) return result("predicate");
    }
  }
}
