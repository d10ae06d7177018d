/**
 * One FetchRequest on the leader's broker (Kafka's DelayedFetch): answered at
 * once when a partition has an error or something to read, or maxWaitMs is
 * 0; otherwise parked with every replica it asks about, and answered when
 * any of them gets data to read (an append, a high watermark that moves, a
 * change of role) or when maxWaitMs runs out, with what each partition has
 * then — up to each partition's maxBytes and the request's, at least one
 * batch.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/event-queue.js";
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import { msToNs } from "./config.js";
import type { PartitionReplica } from "./partition-replica.js";
import { wireBytesOf, type FetchPartitionData, type FetchRequest, type FetchResponse } from "./protocol.js";
import type { BrokerRequest } from "./request-channel.js";

export class DelayedFetch {
  readonly request: FetchRequest;
  private readonly endpoint: Endpoint;
  private readonly node: WorldNode;
  /** The replica of each partition asked about, or undefined where this broker hosts none. */
  private readonly replicas: readonly (PartitionReplica | undefined)[];
  private deadline: EventHandle = NO_EVENT;
  private isDone = false;
  /** Partitions whose batches are being read from the device before the response can go. */
  private loadsPending = 0;
  private response: FetchResponse | null = null;
  private readonly onDeadlineBound = (): void => this.complete();
  /** The broker's request: its connection takes its next request once this is answered. */
  private readonly brokerRequest: BrokerRequest;

  constructor(node: WorldNode, brokerRequest: BrokerRequest, request: FetchRequest, replicaOf: (topicPartition: string) => PartitionReplica | undefined) {
    this.node = node;
    this.brokerRequest = brokerRequest;
    this.endpoint = brokerRequest.endpoint;
    this.request = request;
    this.replicas = request.partitions.map((part) => replicaOf(part.topicPartition));
  }

  get isCompleted(): boolean {
    return this.isDone;
  }

  /** The request arrives: followers' progress is recorded, then it is answered or parked. */
  start(): void {
    if (this.request.replica !== null) {
      this.request.partitions.forEach((part, index) => this.replicas[index]?.onFollowerFetched(this.request.replica!, part));
    }
    if (this.request.maxWaitMs === 0 || this.isSatisfied()) return this.complete();
    for (const replica of this.replicas) replica?.park(this);
    this.deadline = this.node.after(msToNs(this.request.maxWaitMs), this.onDeadlineBound);
  }

  /** A replica it waits on changed: answer now if there is something to say. */
  tryComplete(): boolean {
    if (this.isDone) return true;
    if (!this.isSatisfied()) return false;
    this.complete();
    return true;
  }

  private isSatisfied(): boolean {
    const isFollower = this.request.replica !== null;
    return this.request.partitions.some((part, index) => {
      const replica = this.replicas[index];
      return replica === undefined || replica.fetchError(part) !== "NONE" || replica.hasReadable(part, isFollower);
    });
  }

  private complete(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.node.cancel(this.deadline);
    const isFollower = this.request.replica !== null;
    let bytesLeft = this.request.maxBytes;
    const partitions: FetchPartitionData[] = this.request.partitions.map((part, index) => {
      const replica = this.replicas[index];
      if (replica === undefined) return { topicPartition: part.topicPartition, error: "NOT_LEADER_OR_FOLLOWER", highWatermark: -1, logEndOffset: -1, batches: [] };
      // The response's limit: the first batch goes whatever its size, then each partition gets what is left.
      const data = replica.readForFetch(part, Math.min(part.maxBytes, Math.max(0, bytesLeft)), isFollower, bytesLeft === this.request.maxBytes);
      for (const batch of data.batches) bytesLeft -= batch.bytes;
      return data;
    });
    this.response = { kind: "fetch-response", correlationId: this.request.correlationId, partitions };
    // Data the page cache no longer holds (a reader far behind) is read from the device first.
    partitions.forEach((data, index) => {
      if (data.batches.length > 0 && !this.replicas[index]!.log.load(data.batches, onLoaded, this)) this.loadsPending++;
    });
    if (this.loadsPending === 0) this.send();
  }

  onLoaded(): void {
    this.loadsPending--;
    if (this.loadsPending === 0) this.send();
  }

  private send(): void {
    const response = this.response!;
    if (this.endpoint.isOpen) this.endpoint.send(response, wireBytesOf(response));
    this.brokerRequest.finish();
  }
}

function onLoaded(_records: unknown, fetch: DelayedFetch): void {
  fetch.onLoaded();
}
