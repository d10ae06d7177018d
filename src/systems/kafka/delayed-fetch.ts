/**
 * One FetchRequest on the leader's broker (Kafka's DelayedFetch): answered at
 * once when a partition has an error or something to read, or maxWaitMs is
 * 0; otherwise parked with every replica it asks about, and answered when
 * any of them gets data to read (an append, a high watermark that moves, a
 * change of role) or when maxWaitMs runs out, with what each partition has
 * then — up to each partition's maxBytes and the request's, at least one
 * batch. Parked fetches share the broker's one purgatory timer: a fetch
 * answered early leaves its entry to be dropped when its deadline passes.
 */
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import { msToNs } from "./config.js";
import type { PartitionReplica } from "./partition-replica.js";
import { wireBytesOf, type FetchPartitionData, type FetchRequest, type FetchResponse } from "./protocol.js";
import type { BrokerRequest } from "./request-channel.js";
import type { DeadlineList } from "../../world/deadline-timer.js";

export class DelayedFetch {
  readonly request: FetchRequest;
  private readonly endpoint: Endpoint;
  private readonly node: WorldNode;
  /** The replica of each partition asked about, or undefined where this broker hosts none. */
  private readonly replicas: readonly (PartitionReplica | undefined)[];
  /** When maxWaitMs runs out (set when it is parked); the broker's fetch purgatory expires it then. */
  deadlineNs = Number.POSITIVE_INFINITY;
  private isDone = false;
  /** Partitions whose batches are being read from the device before the response can go. */
  private loadsPending = 0;
  private response: FetchResponse | null = null;
  /** The broker's parked fetches, expired by one timer (Kafka's fetch purgatory). */
  private readonly purgatory: DeadlineList<DelayedFetch>;
  /** The broker's request: its connection takes its next request once this is answered. */
  private readonly brokerRequest: BrokerRequest;

  constructor(node: WorldNode, brokerRequest: BrokerRequest, request: FetchRequest, replicas: ReplicaDirectory, purgatory: DeadlineList<DelayedFetch>) {
    this.purgatory = purgatory;
    this.node = node;
    this.brokerRequest = brokerRequest;
    this.endpoint = brokerRequest.endpoint;
    this.request = request;
    // Plain loops, no closures: this runs for every fetch, and fetches are most of a run's requests.
    const found: (PartitionReplica | undefined)[] = [];
    for (let partIndex = 0; partIndex < request.partitions.length; partIndex++) {
      const part = request.partitions[partIndex]!;
      found.push(replicas.replica(part.topicPartition));
    }
    this.replicas = found;
  }

  get isCompleted(): boolean {
    return this.isDone;
  }

  /** The request arrives: followers' progress is recorded, then it is answered or parked. */
  start(): void {
    const follower = this.request.replica;
    if (follower !== null) {
      const parts = this.request.partitions;
      for (let index = 0; index < parts.length; index++) this.replicas[index]?.onFollowerFetched(follower, parts[index]!);
    }
    if (this.request.maxWaitMs === 0 || this.isSatisfied()) return this.complete();
    for (let index = 0; index < this.replicas.length; index++) this.replicas[index]?.park(this);
    this.deadlineNs = this.node.now + msToNs(this.request.maxWaitMs);
    this.purgatory.add(this);
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
    const parts = this.request.partitions;
    for (let index = 0; index < parts.length; index++) {
      const replica = this.replicas[index];
      const part = parts[index]!;
      if (replica === undefined || replica.fetchError(part) !== "NONE" || replica.hasReadable(part, isFollower)) return true;
    }
    return false;
  }

  complete(): void {
    if (this.isDone) return;
    this.isDone = true;
    const isFollower = this.request.replica !== null;
    let bytesLeft = this.request.maxBytes;
    const parts = this.request.partitions;
    const partitions: FetchPartitionData[] = [];
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index]!;
      const replica = this.replicas[index];
      if (replica === undefined) {
        partitions.push({ topicPartition: part.topicPartition, error: "NOT_LEADER_OR_FOLLOWER", highWatermark: -1, logEndOffset: -1, batches: [] });
        continue;
      }
      // The response's limit: the first batch goes whatever its size, then each partition gets what is left.
      const data = replica.readForFetch(part, Math.min(part.maxBytes, Math.max(0, bytesLeft)), isFollower, bytesLeft === this.request.maxBytes);
      for (let batchIndex = 0; batchIndex < data.batches.length; batchIndex++) {
        const batch = data.batches[batchIndex]!;
        bytesLeft -= batch.bytes;
      }
      partitions.push(data);
      // Data the page cache no longer holds (a reader far behind) is read from the device first.
      if (data.batches.length > 0 && !replica.log.load(data.batches, onLoaded, this)) this.loadsPending++;
    }
    this.response = { kind: "fetch-response", correlationId: this.request.correlationId, partitions };
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

/** Where a fetch finds the replica of each partition it names (the broker). */
export interface ReplicaDirectory {
  replica(topicPartition: string): PartitionReplica | undefined;
}

function onLoaded(_records: unknown, fetch: DelayedFetch): void {
  fetch.onLoaded();
}
