/**
 * KahaDB's concurrent store-and-dispatch for queues (KahaDBStore.
 * asyncAddQueueMessage, StoreQueueTask, removeAsyncMessage; tag
 * activemq-5.18.7, docs/research/activemq-facts.md §1):
 *
 * - a persistent queue message is handed to one executor thread
 *   ("ConcurrentQueueStoreAndDispatch": ASYNC_EXECUTOR_MAX_THREADS is "1")
 *   and dispatched to consumers at once, before it is stored;
 * - the thread runs the tasks one at a time: it marshals the
 *   KahaAddMessageCommand and calls the journal with sync = ALWAYS and
 *   responseRequired, so a sync send's task holds the thread until its own
 *   batch's fsync returns: these stores are serialised, one fsync each,
 *   whatever the number of producers;
 * - a consumer's ack that finds the task still waiting cancels it: the
 *   message is never journaled (nor is its removal), and the producer's
 *   Response goes out at once; an ack that finds it running waits for it
 *   and journals the removal after the add;
 * - at most maxAsyncJobs (10000) tasks wait (globalQueueSemaphore): a
 *   sender beyond that blocks until one finishes.
 *
 * Where the model differs: the ack that finds its task running does not
 * hold the consumer's transport thread while it waits.
 */
import { assert, RingQueue } from "../../kernel/index.js";
import type { CpuCores } from "../../world/cpu-cores.js";
import type { WorldNode } from "../../world/node.js";
import type { ActiveMqCpuCosts } from "./cpu-costs.js";
import type { StorageResult } from "./journal-storage.js";
import type { KahaDbStore, StoredMessage } from "./kahadb-store.js";

/** KahaDBStore.maxAsyncJobs (= BaseDestination.MAX_AUDIT_DEPTH). */
export const MAX_ASYNC_JOBS = 10_000;

/** What the sender hears: the store's result, or "cancelled" (a consumer acked it first; answered as stored). */
export type StoreTaskOutcome = StorageResult | "cancelled";

export interface StoreTask {
  readonly destination: string;
  readonly message: StoredMessage;
  /** The journal call waits for its batch's fsync (ALWAYS and a sync send). */
  readonly isSync: boolean;
  /** Called once, when the task is stored, failed or cancelled. */
  readonly onSettled: (outcome: StoreTaskOutcome, task: StoreTask) => void;
  state: "queued" | "running" | "settled";
  /** Acked while running: the removal is journaled after the add. */
  isRemovedAfterAdd: boolean;
}

export class StoreTaskExecutor {
  /** Tasks in submission order; a cancelled one stays until the thread reaches it and skips it. */
  private readonly queue = new RingQueue<StoreTask>(16);
  private readonly byMessageId = new Map<string, StoreTask>();
  private current: StoreTask | null = null;
  private isStopped = false;
  private busyNsTotal = 0;
  private blockedNsTotal = 0;
  private blockedSinceNs = -1;
  /** Senders blocked on the semaphore, in arrival order. */
  private readonly waitingForRoom: (() => void)[] = [];
  private readonly onCpuDoneBound = (): void => this.onCpuDone();
  private readonly onCoreBound = (): void => this.onCore();
  private readonly onJournaledBound = (result: StorageResult, task: StoreTask): void => this.onJournaled(result, task);

  constructor(
    private readonly node: WorldNode,
    private readonly store: KahaDbStore,
    private readonly costs: ActiveMqCpuCosts,
    private readonly cores: CpuCores | null = null,
  ) {}

  /** CPU the thread spent marshalling and indexing. */
  get busyNs(): number {
    return this.busyNsTotal;
  }

  /** Time the thread spent waiting in the journal for fsyncs. */
  get blockedNs(): number {
    return this.blockedNsTotal + (this.blockedSinceNs < 0 ? 0 : this.node.now - this.blockedSinceNs);
  }

  /** Tasks waiting or running (what the semaphore counts). */
  get pending(): number {
    return this.byMessageId.size;
  }

  get hasRoom(): boolean {
    return this.pending < MAX_ASYNC_JOBS;
  }

  /** A sender that found no room runs `resume` once a task finishes. */
  waitForRoom(resume: () => void): void {
    this.waitingForRoom.push(resume);
  }

  /** The store is gone (the broker lost its lock, its store failed, its process died): nothing more runs or is answered. */
  stop(): void {
    if (this.blockedSinceNs >= 0) {
      this.blockedNsTotal += this.node.now - this.blockedSinceNs;
      this.blockedSinceNs = -1;
    }
    this.isStopped = true;
  }

  submit(task: StoreTask): void {
    assert(task.state === "queued" && !this.byMessageId.has(task.message.messageId), `store task for ${task.message.messageId} submitted twice`);
    this.byMessageId.set(task.message.messageId, task);
    this.queue.push(task);
    this.pump();
  }

  /**
   * A consumer acked the message: a waiting task is cancelled (true: nothing
   * to journal); a running one journals the removal after its add (true);
   * false when there is no task (the caller journals the removal itself).
   */
  acked(messageId: string): boolean {
    const task = this.byMessageId.get(messageId);
    if (task === undefined) return false;
    if (task.state === "running") {
      task.isRemovedAfterAdd = true;
      return true;
    }
    this.settle(task, "cancelled");
    return true;
  }

  private pump(): void {
    while (this.current === null && !this.queue.isEmpty) {
      const task = this.queue.shift()!;
      if (task.state !== "queued") continue;
      task.state = "running";
      this.current = task;
      if (this.cores === null) this.onCore();
      else this.cores.acquire(this.onCoreBound);
    }
  }

  /** The running task has a core: it marshals and indexes for its cost. */
  private onCore(): void {
    const task = this.current!;
    const costNs = Math.round(this.costs.storeMessageNs + this.costs.storeByteNs * task.message.bodyBytes);
    this.busyNsTotal += costNs;
    this.node.after(costNs, this.onCpuDoneBound);
  }

  private onCpuDone(): void {
    const task = this.current!;
    this.cores?.release();
    if (this.isStopped) return;
    if (!task.isSync) {
      this.store.addMessage(task.destination, task.message, false, null, null);
      return this.onJournaled("ok", task);
    }
    this.blockedSinceNs = this.node.now;
    this.store.addMessage(task.destination, task.message, true, this.onJournaledBound, task);
  }

  private onJournaled(result: StorageResult, task: StoreTask): void {
    if (this.isStopped) return;
    if (this.blockedSinceNs >= 0) {
      this.blockedNsTotal += this.node.now - this.blockedSinceNs;
      this.blockedSinceNs = -1;
    }
    if (result === "ok" && task.isRemovedAfterAdd) this.store.removeMessage(task.destination, task.message.messageId);
    this.current = null;
    this.settle(task, result);
    this.pump();
  }

  private settle(task: StoreTask, outcome: StoreTaskOutcome): void {
    task.state = "settled";
    this.byMessageId.delete(task.message.messageId);
    task.onSettled(outcome, task);
    const resume = this.waitingForRoom.shift();
    resume?.();
  }
}
