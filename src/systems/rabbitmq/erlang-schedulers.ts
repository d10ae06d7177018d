/**
 * The CPU of one RabbitMQ node: the Erlang VM's schedulers, one per core
 * ("By default the runtime will start one scheduler for one CPU core it
 * detects", https://www.rabbitmq.com/docs/runtime; RabbitMQ does not set
 * +S), shared by every Erlang process on the node: queue masters, mirrors,
 * quorum members, channels.
 *
 * An Erlang process handles its mailbox one message at a time, so its work
 * is serial: one queue never uses more than one core ("a single queue
 * replica is limited to a single CPU core on its hot code path",
 * https://www.rabbitmq.com/docs/queues#runtime-characteristics). Runnable
 * processes wait in the node's run queue for a free scheduler. A scheduler
 * preempts a process after a budget of reductions (about one message's
 * worth of work), so here a process runs one job, then goes to the back of
 * the run queue if it has more: round robin, as the BEAM's run queues are.
 *
 * A job is `run(costNs, fn, arg)`: `fn(arg)` is called once the job's CPU
 * time has been spent on a scheduler, which is when its effects (messages
 * sent, state changed) happen. The node's processes die with the node: the
 * completion events are the node's own timers, so a crash drops them, and
 * a broker builds new schedulers at each start.
 */
import { assert } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";

export type ErlangJob = (arg: never) => void;

export class ErlangSchedulers {
  private readonly runQueue: ErlangProcess[] = [];
  private runQueueHead = 0;
  private busySchedulers = 0;
  private busyNsTotal = 0;
  private readonly onSliceDoneBound = (process: ErlangProcess): void => this.onSliceDone(process);

  constructor(
    readonly node: WorldNode,
    /** Scheduler threads (+S; the node's cores by default). */
    readonly schedulerCount: number,
  ) {
    assert(Number.isSafeInteger(schedulerCount) && schedulerCount >= 1, `schedulers ${schedulerCount}`);
  }

  /** A new Erlang process on this node. */
  spawn(name: string): ErlangProcess {
    return new ErlangProcess(this, name);
  }

  /** CPU time spent by every process on this node (all schedulers), for utilisation. */
  get busyNs(): number {
    return this.busyNsTotal;
  }

  /** Message bytes waiting in the node's processes' job queues (their mailboxes' share of memory). */
  queuedBytes = 0;

  /** Processes waiting for a scheduler right now (the run queue's length). */
  get runQueueLength(): number {
    return this.runQueue.length - this.runQueueHead;
  }

  /** @internal A process got work and was idle: it joins the run queue. */
  makeRunnable(process: ErlangProcess): void {
    this.runQueue.push(process);
    this.dispatch();
  }

  private dispatch(): void {
    while (this.busySchedulers < this.schedulerCount && this.runQueueHead < this.runQueue.length) {
      const process = this.runQueue[this.runQueueHead++]!;
      if (this.runQueueHead > 1_024 && this.runQueueHead * 2 > this.runQueue.length) {
        this.runQueue.splice(0, this.runQueueHead);
        this.runQueueHead = 0;
      }
      // A process that exited while it waited has nothing left to run.
      if (!process.hasWork) continue;
      this.busySchedulers++;
      const costNs = process.beginSlice();
      this.busyNsTotal += costNs;
      this.node.after(costNs, this.onSliceDoneBound, process);
    }
  }

  private onSliceDone(process: ErlangProcess): void {
    this.busySchedulers--;
    assert(this.busySchedulers >= 0, "scheduler count went negative");
    process.endSlice();
    if (process.hasWork) this.runQueue.push(process);
    this.dispatch();
  }
}

/**
 * One Erlang process: a FIFO of jobs run one at a time on its node's
 * schedulers. Jobs are kept in parallel arrays used as a ring, so queueing
 * one allocates nothing once the ring has grown.
 */
export class ErlangProcess {
  private costs: number[] = [];
  private bytes: number[] = [];
  private fns: ErlangJob[] = [];
  private args: unknown[] = [];
  private head = 0;
  private length = 0;
  private isScheduled = false;
  private isExited = false;
  /** Blocked in a call that has not returned (a file write held at the dirty limit): runs no job until resume(). */
  private isSuspended = false;
  private busyNsTotal = 0;
  private lengthMax = 0;

  constructor(
    private readonly schedulers: ErlangSchedulers,
    readonly name: string,
  ) {}

  /** Queues a job of `costNs` CPU carrying `bytes` of message data (held in memory until done); `fn(arg)` runs when it is done. */
  run<A>(costNs: number, fn: (arg: A) => void, arg: A, bytes = 0): void {
    assert(costNs >= 0 && Number.isFinite(costNs), `${this.name}: cpu cost ${costNs}`);
    if (this.isExited) return;
    if (this.length === this.costs.length) this.grow();
    const slot = (this.head + this.length) % this.costs.length;
    this.costs[slot] = Math.ceil(costNs);
    this.bytes[slot] = bytes;
    this.schedulers.queuedBytes += bytes;
    this.fns[slot] = fn as ErlangJob;
    this.args[slot] = arg;
    this.length++;
    if (this.length > this.lengthMax) this.lengthMax = this.length;
    if (!this.isScheduled && !this.isSuspended) {
      this.isScheduled = true;
      this.schedulers.makeRunnable(this);
    }
  }

  /** The process exits (its queue or node stopped): jobs not yet begun are dropped, the one running finishes without effect. */
  exit(): void {
    this.isExited = true;
    const kept = Math.min(this.length, this.isRunning ? 1 : 0);
    for (let k = 0; k < this.length; k++) {
      const slot = (this.head + k) % this.costs.length;
      this.args[slot] = undefined;
      if (k < kept) continue;
      this.schedulers.queuedBytes -= this.bytes[slot]!;
      this.bytes[slot] = 0;
    }
    this.length = kept;
  }

  get hasWork(): boolean {
    return this.length > 0 && !this.isExited && !this.isSuspended;
  }

  /**
   * The job now running turns out to block the process (a write that waits in
   * balance_dirty_pages): it takes no further job, and its mailbox grows,
   * until resume().
   */
  suspend(): void {
    this.isSuspended = true;
  }

  get isBlocked(): boolean {
    return this.isSuspended;
  }

  /** The blocking call returned: the process runs its queued jobs again. */
  resume(): void {
    if (!this.isSuspended) return;
    this.isSuspended = false;
    if (this.isScheduled || !this.hasWork) return;
    this.isScheduled = true;
    this.schedulers.makeRunnable(this);
  }

  /** CPU this process has used. */
  get busyNs(): number {
    return this.busyNsTotal;
  }

  /** Jobs waiting or running (the mailbox's length, as far as the model queues work). */
  get queueLength(): number {
    return this.length;
  }

  /** The longest the job queue has been. */
  get queueLengthMax(): number {
    return this.lengthMax;
  }

  private isRunning = false;

  /** @internal The scheduler takes the head job: its cost. */
  beginSlice(): number {
    assert(this.length > 0 && !this.isRunning, `${this.name}: slice without work`);
    this.isRunning = true;
    const costNs = this.costs[this.head]!;
    this.busyNsTotal += costNs;
    return costNs;
  }

  /** @internal The head job's time is spent: run its effects. */
  endSlice(): void {
    const slot = this.head;
    const fn = this.fns[slot]!;
    const arg = this.args[slot];
    this.args[slot] = undefined;
    this.schedulers.queuedBytes -= this.bytes[slot]!;
    this.bytes[slot] = 0;
    this.head = (this.head + 1) % this.costs.length;
    this.length--;
    this.isRunning = false;
    // Effects may queue more work on this process: it stays scheduled until the node decides.
    if (!this.isExited) (fn as (arg: unknown) => void)(arg);
    this.isScheduled = this.length > 0 && !this.isExited && !this.isSuspended;
  }

  private grow(): void {
    const size = Math.max(8, this.costs.length * 2);
    const costs: number[] = new Array<number>(size);
    const bytes: number[] = new Array<number>(size);
    const fns: ErlangJob[] = new Array<ErlangJob>(size);
    const args: unknown[] = new Array<unknown>(size);
    for (let k = 0; k < this.length; k++) {
      const from = (this.head + k) % this.costs.length;
      costs[k] = this.costs[from]!;
      bytes[k] = this.bytes[from]!;
      fns[k] = this.fns[from]!;
      args[k] = this.args[from];
    }
    this.costs = costs;
    this.bytes = bytes;
    this.fns = fns;
    this.args = args;
    this.head = 0;
  }
}
