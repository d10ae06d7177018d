/**
 * The history of a run: every client operation with its virtual time, in the
 * order it happened, shared by every system (Kafka, RabbitMQ, RocketMQ,
 * ActiveMQ). Checkers in src/checks/ read it after the run; nothing in a
 * running simulation reads it back.
 *
 * Messages travel in batches, so the history records id *ranges*: a producer
 * numbers its messages 0, 1, 2, … in send order and each event names the
 * first id and a count. Message ids are unique across the run
 * (`producer` × local sequence is folded into one integer by the recorder).
 *
 * A "stream" is where order is defined: a Kafka topic-partition ("orders-3"),
 * a RabbitMQ queue, a RocketMQ message queue. A "position" is the offset in
 * that stream, when the system has one (queues without offsets use -1).
 */
import { assert } from "../kernel/assert.js";
import type { TimeNs } from "../kernel/time.js";

export type MessageId = number;

/** The outcome of a send as the client saw it. */
export type SendOutcome =
  /** Acknowledged: the system promised to keep it. */
  | "ok"
  /** Definitely not written (e.g. NOT_ENOUGH_REPLICAS, validation error). */
  | "error"
  /** Timed out or the connection broke: it may or may not have been written. */
  | "unknown";

export type HistoryEvent =
  | {
      type: "send";
      timeNs: TimeNs;
      client: string;
      /** First message id of the batch and how many consecutive ids it holds. */
      idFirst: MessageId;
      count: number;
    }
  | {
      type: "send-result";
      timeNs: TimeNs;
      client: string;
      idFirst: MessageId;
      count: number;
      outcome: SendOutcome;
      /** Where it was written, when the system says (Kafka: partition and base offset). */
      stream: string;
      position: number;
      /** The system's error name for "error" and "unknown" ("NOT_ENOUGH_REPLICAS", "TIMEOUT"). */
      error: string;
      /** The server that answered (Kafka: the leader broker), when one did; for traces. */
      server?: string;
    }
  | {
      type: "deliver";
      timeNs: TimeNs;
      client: string;
      /** Consumer group (Kafka) or subscription: each group must see every message. */
      group: string;
      stream: string;
      /** Offset of the first message of the range; consecutive messages follow (-1: no offsets). */
      position: number;
      idFirst: MessageId;
      count: number;
      /** RabbitMQ's redelivered flag, set when the broker delivered these before (requeued: a consumer or a leader gone). */
      redelivered?: true;
    }
  | { type: "commit"; timeNs: TimeNs; client: string; group: string; stream: string; position: number }
  /** The consumer applied the message's side effect (an idempotent consumer skips repeats). */
  | { type: "effect"; timeNs: TimeNs; client: string; group: string; idFirst: MessageId; count: number }
  /**
   * A user request that ended by publishing: it started at `startNs` (before
   * any synchronous calls the application made first) and ended now, when
   * its publish was answered with `outcome`.
   */
  | { type: "request"; timeNs: TimeNs; client: string; startNs: TimeNs; outcome: SendOutcome }
  /** A client operation failed; used for unavailability windows. */
  | { type: "op-failed"; timeNs: TimeNs; client: string; op: "send" | "receive"; error: string }
  /** A client operation succeeded; closes an unavailability window. */
  | { type: "op-ok"; timeNs: TimeNs; client: string; op: "send" | "receive" };

export type HistoryEventType = HistoryEvent["type"];

export interface HistoryOptions {
  /**
   * The records a run may keep before `onFull` is called (once): the
   * history is what grows with a run, about 130 bytes a record, so this is
   * the run's memory budget. Records after it are still kept (the current
   * event's, the final read's); the run is expected to stop.
   */
  recordsMax?: number;
  onFull?: () => void;
}

export class History {
  private readonly eventsList: HistoryEvent[] = [];
  private idNext = 0;
  private readonly recordsMax: number;
  private onFull: (() => void) | null;

  constructor(options: HistoryOptions = {}) {
    this.recordsMax = options.recordsMax ?? Number.POSITIVE_INFINITY;
    assert(this.recordsMax > 0, `recordsMax must be positive, got ${this.recordsMax}`);
    this.onFull = options.onFull ?? null;
  }

  /** Whether the history reached its recordsMax. */
  get isFull(): boolean {
    return this.eventsList.length >= this.recordsMax;
  }

  /** Reserves `count` consecutive message ids for a batch; returns the first. */
  reserveIds(count: number): MessageId {
    assert(Number.isSafeInteger(count) && count > 0, `reserveIds(${count})`);
    const first = this.idNext;
    this.idNext += count;
    return first;
  }

  /** One past the largest id handed out: every id is in [0, idLimit). */
  get idLimit(): number {
    return this.idNext;
  }

  record(event: HistoryEvent): void {
    const last = this.eventsList[this.eventsList.length - 1];
    if (last !== undefined && event.timeNs < last.timeNs) {
      assert(false, `history event at ${event.timeNs} recorded after one at ${last.timeNs}`);
    }
    this.eventsList.push(event);
    if (this.onFull !== null && this.eventsList.length >= this.recordsMax) {
      const onFull = this.onFull;
      this.onFull = null;
      onFull();
    }
  }

  get events(): readonly HistoryEvent[] {
    return this.eventsList;
  }

  get length(): number {
    return this.eventsList.length;
  }
}
