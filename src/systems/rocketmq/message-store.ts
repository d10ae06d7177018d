/**
 * A broker's message store (DefaultMessageStore): the commit log and its
 * flush service, the consume queues and the reput service that builds them,
 * and the two reads a broker serves (a queue's messages from an offset, and
 * its offsets).
 *
 * - putMessage assigns the next offset of the message's queue
 *   (topicQueueTable), appends to the commit log and answers once the
 *   flush (SYNC_FLUSH) and the slave (SYNC_MASTER, a ReplicaWait the HA
 *   service supplies) are done, both awaited together as 5.x's
 *   CommitLog.asyncPutMessage does; a failed replica wait's status wins
 *   over a failed flush's.
 * - The reput service (ReputMessageService, a thread that sleeps 1 ms
 *   between rounds) dispatches what the commit log holds past its offset
 *   into the consume queues and tells the pull hold service a message
 *   arrived. Consumers see a message from then on: before it is flushed
 *   and, on an ASYNC_MASTER, before any slave has it.
 * - The consume queues are flushed by their own thread, one queue after
 *   another (flush-consume-queue-service.ts).
 * - Recovery (construction) rebuilds the commit log from the disk, cuts the
 *   consume queues to it and re-dispatches what they lost.
 */
import { assert, compareStrings } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import { AsyncFlushService, GroupCommitService, type FlushStatus } from "./commit-log-flush.js";
import { CommitLog, type CommitLogRecord } from "./commit-log.js";
import type { RocketBrokerConfig } from "./config.js";
import { ConsumeQueue } from "./consume-queue.js";
import { FlushConsumeQueueService } from "./flush-consume-queue-service.js";

export type PutMessageStatus = "PUT_OK" | "FLUSH_DISK_TIMEOUT" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE" | "SERVICE_NOT_AVAILABLE";
export type ReplicaStatus = "PUT_OK" | "FLUSH_SLAVE_TIMEOUT" | "SLAVE_NOT_AVAILABLE";

export interface PutResult {
  status: PutMessageStatus;
  /** The put as stored (null when nothing was stored). */
  record: CommitLogRecord | null;
}

export type PutCallback<A> = (result: PutResult, arg: A) => void;

/** What a SYNC_MASTER's put waits for besides its flush: a slave holding the log up to nextOffset. */
export interface ReplicaWait {
  request<A>(nextOffset: number, done: (status: ReplicaStatus, arg: A) => void, arg: A): void;
}

export type GetMessageStatus = "FOUND" | "NO_MESSAGE_IN_QUEUE" | "OFFSET_OVERFLOW_ONE" | "OFFSET_OVERFLOW_BADLY" | "OFFSET_TOO_SMALL" | "NO_MATCHED_LOGIC_QUEUE";

/** Consecutive messages of one put, as a pull returns them. */
export interface PulledRange {
  queueOffset: number;
  idFirst: number;
  count: number;
  /** Bytes of these messages in the commit log. */
  sizeBytes: number;
}

export interface GetMessageResult {
  status: GetMessageStatus;
  ranges: PulledRange[];
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
}

export interface MessageArrivalListener {
  /** The reput service indexed messages of this queue up to maxOffset (NotifyMessageArrivingListener). */
  onMessageArrived(topic: string, queueId: number, maxOffset: number): void;
  /** A put that putMessage reported "blocked" has finished its copy: the put lock is free again. */
  onBlockedPutReturned(): void;
}

export interface NewPut {
  topic: string;
  queueId: number;
  count: number;
  idFirst: number;
  bodyBytes: number;
}

const NS_PER_MS = 1_000_000;
/** ReputMessageService sleeps 1 ms between rounds. */
const REPUT_INTERVAL_NS = NS_PER_MS;

/** One put waiting for its flush and its replica. */
class PendingPut {
  flushStatus: FlushStatus | null = null;
  replicaStatus: ReplicaStatus | null = null;
  isAnswered = false;
  record: CommitLogRecord | null = null;
  constructor(
    readonly done: PutCallback<unknown>,
    readonly arg: unknown,
  ) {}
}

export class MessageStore {
  readonly commitLog: CommitLog;
  private readonly asyncFlush: AsyncFlushService | null;
  private readonly groupCommit: GroupCommitService | null;
  private readonly queues = new Map<string, ConsumeQueue>();
  /** Next offsets of queues with puts not yet dispatched: topicQueueTable runs ahead of the consume queue. */
  private readonly pendingOffsets = new Map<ConsumeQueue, number>();
  /** Where the reput service continues in the commit log. */
  private reputFromOffset = 0;
  private isReputArmed = false;
  private readonly cqFlush: FlushConsumeQueueService;
  private replicaWait: ReplicaWait | null = null;
  private readonly onReputBound = (): void => this.onReput();
  private readonly onFlushedBound = (status: FlushStatus, pending: PendingPut): void => {
    pending.flushStatus = status;
    this.answerIfDone(pending);
  };
  private readonly onReplicatedBound = (status: ReplicaStatus, pending: PendingPut): void => {
    pending.replicaStatus = status;
    this.answerIfDone(pending);
  };

  constructor(
    private readonly node: WorldNode,
    private readonly disk: Disk,
    config: RocketBrokerConfig,
    private readonly listener: MessageArrivalListener,
  ) {
    this.commitLog = new CommitLog(disk, config.mappedFileSizeCommitLog);
    const isSync = config.flushDiskType === "SYNC_FLUSH";
    this.asyncFlush = isSync ? null : new AsyncFlushService(node, disk, this.commitLog, config);
    this.groupCommit = isSync ? new GroupCommitService(node, disk, this.commitLog, config.syncFlushTimeout) : null;
    this.cqFlush = new FlushConsumeQueueService(node, disk, () => this.consumeQueues(), config);
    this.recoverQueues();
  }

  /**
   * Starts the store's threads (after recovery, as DefaultMessageStore.start).
   * With `isFlushedElsewhere` (DLedger: the commit log is DLedger's own
   * store, which flushes itself) the flush services stay idle.
   */
  start(isFlushedElsewhere = false): void {
    if (!isFlushedElsewhere) {
      this.asyncFlush?.start();
      this.groupCommit?.start();
      this.cqFlush.start();
    }
  }

  /** A SYNC_MASTER's HA service: puts wait for it too. */
  setReplicaWait(wait: ReplicaWait | null): void {
    this.replicaWait = wait;
  }

  /** How far the commit log is flushed (as the store believes). */
  get flushedOffset(): number {
    return this.groupCommit?.flushedOffset ?? this.asyncFlush!.flushedOffset;
  }

  /**
   * Stores a put (CommitLog.asyncPutMessage under the put lock) and answers
   * `done` when its flush and replica waits are over. Returns "blocked" when
   * the copy into the mapped file is held at the dirty limit: the put lock
   * stays taken until the listener's onBlockedPutReturned, and the waits
   * begin only then.
   */
  putMessage<A>(put: NewPut, done: PutCallback<A>, arg: A): "written" | "blocked" {
    const queue = this.queueOf(put.topic, put.queueId);
    // topicQueueTable: the next offset counts puts not yet dispatched too.
    const queueOffset = this.nextOffsetInTable(queue);
    const pending = new PendingPut(done as PutCallback<unknown>, arg);
    const record = this.commitLog.append({ ...put, queueOffset, storeNs: this.node.now }, this.onPutReturnedBound, pending);
    if (record === "disk-full") {
      done({ status: "SERVICE_NOT_AVAILABLE", record: null }, arg);
      return "written";
    }
    pending.record = record;
    this.pendingOffsets.set(queue, queueOffset + put.count);
    this.armReput();
    if (this.commitLog.isLastAppendThrottled) return "blocked";
    this.awaitDurability(pending);
    return "written";
  }

  private readonly onPutReturnedBound = (_: unknown, pending: PendingPut): void => {
    this.awaitDurability(pending);
    this.listener.onBlockedPutReturned();
  };

  /** The put is in the page cache: it waits for its flush (SYNC_FLUSH) and its slave (SYNC_MASTER) as configured. */
  private awaitDurability(pending: PendingPut): void {
    const record = pending.record!;
    const nextOffset = record.physicalOffset + record.sizeBytes;
    if (this.groupCommit === null) pending.flushStatus = "PUT_OK";
    else this.groupCommit.request(nextOffset, this.onFlushedBound, pending);
    if (this.replicaWait === null) pending.replicaStatus = "PUT_OK";
    else this.replicaWait.request(nextOffset, this.onReplicatedBound, pending);
    this.answerIfDone(pending);
  }

  /**
   * DLedger: a put that DLedger committed, appended in commit order (every
   * member applies the same puts in the same order, so physical and queue
   * offsets agree across the group). No flush or replica wait: the quorum
   * already has it. Returns the record, or null when the disk is full.
   */
  applyCommitted(put: NewPut): CommitLogRecord | null {
    const queue = this.queueOf(put.topic, put.queueId);
    const queueOffset = this.nextOffsetInTable(queue);
    const record = this.commitLog.append({ ...put, queueOffset, storeNs: this.node.now }, noop, null);
    if (record === "disk-full") return null;
    this.pendingOffsets.set(queue, queueOffset + put.count);
    this.armReput();
    return record;
  }

  /** Up to maxMsgNums messages of a queue from `offset` (DefaultMessageStore.getMessage). */
  getMessage(topic: string, queueId: number, offset: number, maxMsgNums: number): GetMessageResult {
    const queue = this.queues.get(queueKey(topic, queueId));
    if (queue === undefined) return { status: "NO_MATCHED_LOGIC_QUEUE", ranges: [], nextBeginOffset: 0, minOffset: 0, maxOffset: 0 };
    const { minOffset, maxOffset } = queue;
    const answer = (status: GetMessageStatus, nextBeginOffset: number, ranges: PulledRange[] = []): GetMessageResult => ({ status, ranges, nextBeginOffset, minOffset, maxOffset });
    if (maxOffset === 0) return answer("NO_MESSAGE_IN_QUEUE", 0);
    if (offset < minOffset) return answer("OFFSET_TOO_SMALL", minOffset);
    if (offset === maxOffset) return answer("OFFSET_OVERFLOW_ONE", offset);
    if (offset > maxOffset) return answer("OFFSET_OVERFLOW_BADLY", maxOffset);
    const ranges = readRanges(queue, offset, maxMsgNums);
    const read = ranges.reduce((sum, range) => sum + range.count, 0);
    return answer("FOUND", offset + read, ranges);
  }

  /** A queue's min offset (0 for an unknown queue). */
  minOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.get(queueKey(topic, queueId))?.minOffset ?? 0;
  }

  /** A queue's max offset (0 for an unknown queue). */
  maxOffsetInQueue(topic: string, queueId: number): number {
    return this.queues.get(queueKey(topic, queueId))?.maxOffset ?? 0;
  }

  /** Every consume queue, in a defined order (topic, then queue id). */
  consumeQueues(): ConsumeQueue[] {
    return [...this.queues.values()].sort((a, b) => compareStrings(a.topic, b.topic) || a.queueId - b.queueId);
  }

  private nextOffsetInTable(queue: ConsumeQueue): number {
    return this.pendingOffsets.get(queue) ?? queue.maxOffset;
  }

  private answerIfDone(pending: PendingPut): void {
    if (pending.flushStatus === null || pending.replicaStatus === null || pending.isAnswered) return;
    pending.isAnswered = true;
    const status: PutMessageStatus = pending.replicaStatus !== "PUT_OK" ? pending.replicaStatus : pending.flushStatus;
    pending.done({ status, record: pending.record }, pending.arg);
  }

  private queueOf(topic: string, queueId: number): ConsumeQueue {
    const key = queueKey(topic, queueId);
    let queue = this.queues.get(key);
    if (queue === undefined) {
      queue = new ConsumeQueue(this.disk, topic, queueId);
      this.queues.set(key, queue);
    }
    return queue;
  }

  private armReput(): void {
    if (this.isReputArmed) return;
    this.isReputArmed = true;
    this.node.after(REPUT_INTERVAL_NS, this.onReputBound);
  }

  /** One round of the reput service: everything the commit log holds past reputFromOffset goes to its consume queue. */
  private onReput(): void {
    this.isReputArmed = false;
    const records = this.commitLog.records;
    for (let index = this.commitLog.indexAt(this.reputFromOffset); index < records.length; index++) {
      const record = records[index]!;
      if (!this.dispatch(record)) {
        // Disk full: the consume queue could not be written; try again next round.
        this.armReput();
        return;
      }
      this.reputFromOffset = record.physicalOffset + record.sizeBytes;
    }
  }

  private dispatch(record: CommitLogRecord): boolean {
    const queue = this.queueOf(record.topic, record.queueId);
    if (record.queueOffset < queue.maxOffset) return true;
    const isPut = queue.put({ queueOffset: record.queueOffset, count: record.count, physicalOffset: record.physicalOffset, sizeBytes: record.sizeBytes, idFirst: record.idFirst });
    if (!isPut) return false;
    if (this.pendingOffsets.get(queue) === queue.maxOffset) this.pendingOffsets.delete(queue);
    this.listener.onMessageArrived(record.topic, record.queueId, queue.maxOffset);
    return true;
  }

  /** Appends copies of a master's puts (a slave's HA) and dispatches them as the reput service would. */
  appendCopies(records: readonly CommitLogRecord[]): "ok" | "disk-full" {
    for (const record of records) {
      if (this.commitLog.appendCopy(record) === "disk-full") return "disk-full";
    }
    this.armReput();
    return "ok";
  }

  /** Recovery: the consume queues on disk, cut to the recovered commit log, then everything they miss re-dispatched. */
  private recoverQueues(): void {
    const maxOffset = this.commitLog.maxOffset;
    const paths = this.disk.list().filter((path) => path.startsWith("store/consumequeue/"));
    for (const path of paths) {
      const [topic, queueId] = path.slice("store/consumequeue/".length).split("/");
      this.queueOf(topic!, Number(queueId)).recover(maxOffset);
    }
    for (const record of this.commitLog.records) {
      const isDispatched = this.dispatchOnRecovery(record);
      assert(isDispatched, `recovery could not index ${record.topic}-${record.queueId}@${record.queueOffset}`);
    }
    this.reputFromOffset = maxOffset;
  }

  private dispatchOnRecovery(record: CommitLogRecord): boolean {
    const queue = this.queueOf(record.topic, record.queueId);
    if (record.queueOffset < queue.maxOffset) return true;
    return queue.put({ queueOffset: record.queueOffset, count: record.count, physicalOffset: record.physicalOffset, sizeBytes: record.sizeBytes, idFirst: record.idFirst });
  }
}

function queueKey(topic: string, queueId: number): string {
  return `${topic}\u0000${queueId}`;
}


/** Up to `maxMessages` messages of `queue` from `offset`, in ranges of consecutive messages of one put. */
function readRanges(queue: ConsumeQueue, offset: number, maxMessages: number): PulledRange[] {
  const ranges: PulledRange[] = [];
  const entries = queue.entries;
  let left = maxMessages;
  let at = offset;
  for (let index = queue.indexOf(offset); index < entries.length && left > 0; index++) {
    const entry = entries[index]!;
    const skip = at - entry.queueOffset;
    const count = Math.min(entry.count - skip, left);
    ranges.push({ queueOffset: at, idFirst: entry.idFirst + skip, count, sizeBytes: (entry.sizeBytes / entry.count) * count });
    left -= count;
    at += count;
  }
  return ranges;
}

function noop(): void {}
