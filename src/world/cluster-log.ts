/**
 * What the cluster itself did, as the servers saw it: leaders elected or
 * lost, in-sync sets shrinking and growing, logs truncated, nodes declared
 * down or up by a failure detector, roles taken (a slave becoming master).
 * The History records what *clients* saw; this log is the other half of a
 * Jepsen-style timeline, so a report can show *why* a message was lost
 * (acknowledged by leader b1 in epoch 3, truncated away when b2 led epoch 4).
 *
 * It is an observation only: nothing in a running simulation reads it back
 * and it feeds no digest (the trace records the same facts for that), so
 * adding a record never changes a run. Events are few (control-plane
 * changes, not messages); a run keeps at most EVENTS_MAX of them and counts
 * the rest.
 */
import { assert } from "../kernel/assert.js";
import type { TimeNs } from "../kernel/time.js";

export type ClusterEventKind =
  /**
   * A stream got a new leader (Kafka's partition leader as the controller
   * chose it, a queue's master or Raft leader, a master broker) or none
   * (`node` ""): the cluster's decision, which ends the previous leader's term.
   */
  | "leader"
  /** A node stopped leading a stream by itself (lost its lock, its store failed), whoever leads now. */
  | "step-down"
  /** The replicas that count for acknowledgement changed (Kafka's ISR, RabbitMQ's synchronised mirrors); `detail` lists them. */
  | "in-sync"
  /** A replica cut its copy of a stream back (`detail` says from where to where): acknowledged data past that point is gone from it. */
  | "truncation"
  /** A failure detector declared a node down (Kafka's controller fenced it, RabbitMQ's nodedown, a NameServer dropped it). */
  | "node-down"
  /** The same detector declared it back. */
  | "node-up"
  /** A consumer group's coordinator changed its membership or assignment (a rebalance: Kafka's new group epoch); `stream` is the group. */
  | "group";

export interface ClusterEvent {
  timeNs: TimeNs;
  kind: ClusterEventKind;
  /** The stream (partition, queue, broker group) it concerns; "" for a node-wide event. */
  stream: string;
  /** The node it concerns: the new leader ("" for none), the truncating replica, the node declared down or up. */
  node: string;
  /** The leader epoch or Raft term, where the system numbers them; -1 otherwise. */
  epoch: number;
  /** The rest in the system's own words ("unclean", "ISR b1,b3", "offset 120 → 97"). */
  detail: string;
  /** A truncation's new end as a position of the stream (the history's positions: Kafka's offsets); -1 when it has none. */
  toPosition: number;
}

/** A run keeps at most this many cluster events (the earliest). */
export const CLUSTER_EVENTS_MAX = 100_000;

export class ClusterLog {
  private readonly clock: { readonly now: TimeNs };
  private readonly eventsList: ClusterEvent[] = [];
  private leftOutCount = 0;

  constructor(clock: { readonly now: TimeNs }) {
    this.clock = clock;
  }

  record(kind: ClusterEventKind, stream: string, node: string, epoch: number, detail = "", toPosition = -1): void {
    assert(Number.isInteger(epoch) && epoch >= -1, `cluster event ${kind} ${stream}: epoch ${epoch} must be an integer ≥ -1`);
    if (this.eventsList.length >= CLUSTER_EVENTS_MAX) {
      this.leftOutCount++;
      return;
    }
    this.eventsList.push({ timeNs: this.clock.now, kind, stream, node, epoch, detail, toPosition });
  }

  /** The events in the order they happened (time order). */
  get events(): readonly ClusterEvent[] {
    return this.eventsList;
  }

  /** Events past CLUSTER_EVENTS_MAX, counted but not kept. */
  get leftOut(): number {
    return this.leftOutCount;
  }
}
