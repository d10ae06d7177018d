/**
 * A thread (or a lock) that does one piece of work at a time: work queues
 * for it and takes its CPU time, then its continuation runs (RocketMQ's
 * send pool threads and put lock, ActiveMQ's transport threads and store
 * task thread are such stations); busyNs is what a probe reads as the
 * thread's CPU. Given the machine's cores (cpu-cores.ts), a piece of work
 * first waits for a free core; without, threads never compete for cores.
 */
import { assert, RingQueue } from "../kernel/index.js";
import type { CpuCores } from "./cpu-cores.js";
import type { WorldNode } from "./node.js";

interface Work {
  costNs: number;
  fn: (arg: unknown) => void;
  arg: unknown;
}

export class SerialThread {
  private readonly queue = new RingQueue<Work>(16);
  private isBusy = false;
  private isBlocked = false;
  private busyNsTotal = 0;
  private readonly onDoneBound = (): void => this.onDone();
  private readonly onCoreBound = (): void => this.onCore();

  constructor(
    private readonly node: WorldNode,
    private readonly cores: CpuCores | null = null,
  ) {}

  /** CPU time this thread has spent (work finished or under way). */
  get busyNs(): number {
    return this.busyNsTotal;
  }

  /** Work waiting or under way, counting a blocked thread as busy. */
  get queued(): number {
    return this.queue.length + (this.isBlocked ? 1 : 0);
  }

  /** Queues `costNs` of work; `fn(arg)` runs when it is done. */
  run<A>(costNs: number, fn: (arg: A) => void, arg: A): void {
    this.enqueue(costNs, fn, arg);
  }

  /**
   * Called from the continuation of the work now finishing: the thread turns
   * out to be blocked (in a write held at the dirty limit) and takes no other
   * work until `release()`.
   */
  block(): void {
    assert(this.isBusy && !this.isBlocked, "block outside a continuation");
    this.isBlocked = true;
  }

  /**
   * Work the thread does while it holds itself blocked (the next step of
   * the work that blocked it): it takes a core and `costNs`, then `fn(arg)`
   * runs; the thread stays blocked until `release()`.
   */
  runBlocked<A>(costNs: number, fn: (arg: A) => void, arg: A): void {
    assert(this.isBlocked, "runBlocked on a thread that is not blocked");
    assert(Number.isFinite(costNs) && costNs >= 0, `work of ${costNs} ns`);
    const cost = Math.max(0, Math.round(costNs));
    const run = (): void => {
      this.busyNsTotal += cost;
      this.node.after(cost, () => {
        this.cores?.release();
        fn(arg);
      });
    };
    if (this.cores === null) return run();
    this.cores.acquire(run);
  }

  /** The blocking work is over: the thread takes the next. */
  release(): void {
    assert(this.isBlocked, "release of a thread that is not blocked");
    this.isBlocked = false;
    this.startNext();
  }

  private enqueue<A>(costNs: number, fn: (arg: A) => void, arg: A): void {
    assert(Number.isFinite(costNs) && costNs >= 0, `work of ${costNs} ns`);
    this.queue.push({ costNs, fn: fn as (arg: unknown) => void, arg });
    if (!this.isBusy) this.startNext();
  }

  private startNext(): void {
    const work = this.queue.peek();
    if (work === undefined) {
      this.isBusy = false;
      return;
    }
    this.isBusy = true;
    if (this.cores === null) return this.onCore();
    this.cores.acquire(this.onCoreBound);
  }

  /** The head work has a core (or needs none): it runs for its cost. */
  private onCore(): void {
    const costNs = Math.max(0, Math.round(this.queue.peek()!.costNs));
    this.busyNsTotal += costNs;
    this.node.after(costNs, this.onDoneBound);
  }

  private onDone(): void {
    this.cores?.release();
    const work = this.queue.shift()!;
    work.fn(work.arg);
    if (!this.isBlocked) this.startNext();
  }
}

/** A pool of threads taking work in turn: each piece goes to the thread with the least queued. */
export class ThreadPool {
  readonly threads: SerialThread[];

  constructor(node: WorldNode, size: number, cores: CpuCores | null = null) {
    assert(Number.isSafeInteger(size) && size >= 1, `pool of ${size} threads`);
    this.threads = Array.from({ length: size }, () => new SerialThread(node, cores));
  }

  run<A>(costNs: number, fn: (arg: A) => void, arg: A): void {
    this.leastQueued().run(costNs, fn, arg);
  }

  private leastQueued(): SerialThread {
    let best = this.threads[0]!;
    for (const thread of this.threads) if (thread.queued < best.queued) best = thread;
    return best;
  }

  get busyNs(): number {
    return this.threads.reduce((sum, thread) => sum + thread.busyNs, 0);
  }
}
