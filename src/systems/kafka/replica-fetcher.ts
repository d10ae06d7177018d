/**
 * A broker's replica fetcher for one leader broker (Kafka's
 * ReplicaFetcherThread with num.replica.fetchers = 1): one connection to the
 * leader and one FetchRequest at a time for every partition this broker
 * follows there, each from its own log end, answered when any has data or
 * after replica.fetch.wait.max.ms; up to replica.fetch.max.bytes per
 * partition and replica.fetch.response.max.bytes in all. More partitions add
 * to each request, not more requests in flight: the replication pipeline's
 * concurrency does not grow with the partition count.
 *
 * A partition that becomes follower first finds where its log diverges
 * (OffsetsForLeaderEpoch, on the same connection) before it joins the
 * fetches; a partition whose fetch failed waits replica.fetch.backoff.ms; a
 * flush on the fetcher thread (log.flush.interval.messages) holds the next
 * fetch for every partition until it completes, as Kafka's thread is busy;
 * so does an append whose write() blocks on the dirty-page limit.
 *
 * A request unanswered for replica.socket.timeout.ms (30 s) closes the
 * connection; the fetcher reconnects after replica.fetch.backoff.ms. Across a
 * partition that is how a follower notices: TCP itself keeps the connection.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import { msToNs } from "./config.js";
import type { PartitionFollower } from "./partition-follower.js";
import type { WriteWaiter } from "./partition-log.js";
import type { ReplicaHost } from "./partition-replica.js";
import { PeerLink, type PeerLinkListener } from "./peer-link.js";
import { DATA_CLASS, DATA_PORT, type FetchPartition, type KafkaMessage } from "./protocol.js";

export const FETCH_BACKOFF_NS = msToNs(1_000); // replica.fetch.backoff.ms

export class ReplicaFetcher implements PeerLinkListener, WriteWaiter {
  readonly leader: string;
  private readonly host: ReplicaHost;
  private link: PeerLink | null = null;
  /** Partitions fetched from this leader, in the order they were added. */
  private readonly followers = new Map<string, PartitionFollower>();
  private isFetchInFlight = false;
  /** Appends of the last response whose write() is blocked on the dirty limit: the thread waits for them. */
  private writesBlocked = 0;
  private cpuNsTotal = 0;
  private correlationIdNext = 1;
  private wakeHandle: EventHandle = NO_EVENT;
  private readonly onWakeBound = (): void => {
    this.wakeHandle = NO_EVENT;
    this.sendFetch();
  };

  constructor(host: ReplicaHost, leader: string) {
    this.host = host;
    this.leader = leader;
  }

  /** CPU this fetcher thread has spent appending. */
  get cpuNs(): number {
    return this.cpuNsTotal;
  }

  add(follower: PartitionFollower): void {
    this.followers.set(follower.topicPartition, follower);
    if (this.link === null) {
      const timeoutNs = msToNs(this.host.config["replica.socket.timeout.ms"]);
      this.link = new PeerLink(this.host.world, this.host.node, this.host.world.node(this.leader), DATA_PORT, DATA_CLASS, FETCH_BACKOFF_NS, this, timeoutNs, "kafka.replica-fetcher.request-timeout");
      this.link.connect();
    } else if (this.link.isOpen) {
      follower.onLinkOpen();
      this.sendFetch();
    }
  }

  remove(follower: PartitionFollower): void {
    if (this.followers.get(follower.topicPartition) !== follower) return;
    this.followers.delete(follower.topicPartition);
    if (this.followers.size > 0) return;
    // Nothing left to fetch here: the fetcher thread is removed (its connection closes).
    this.link?.close();
    this.link = null;
    this.isFetchInFlight = false;
    this.host.node.cancel(this.wakeHandle);
    this.wakeHandle = NO_EVENT;
  }

  /** Sends a request on this fetcher's connection (OffsetsForLeaderEpoch) under replica.socket.timeout.ms; false if it is down. */
  send(message: KafkaMessage & { correlationId: number }): boolean {
    return this.link !== null && this.link.request(message);
  }

  nextCorrelationId(): number {
    return this.correlationIdNext++;
  }

  /** A partition's flush completed, or its truncation: fetch if nothing holds the thread. */
  onPartitionReady(): void {
    this.sendFetch();
  }

  // ------------------------------------------------------------ PeerLinkListener

  onOpen(): void {
    for (const follower of this.followers.values()) follower.onLinkOpen();
    this.sendFetch();
  }

  onDown(): void {
    this.isFetchInFlight = false;
    for (const follower of this.followers.values()) follower.onLinkDown();
  }

  onMessage(message: KafkaMessage): void {
    if (message.kind === "offsets-for-leader-epoch-response") {
      this.followers.get(message.topicPartition)?.onOffsetsForLeaderEpoch(message);
      return this.sendFetch();
    }
    if (message.kind !== "fetch-response") return;
    this.isFetchInFlight = false;
    const cpu = this.host.cpu;
    let costNs = 0;
    for (let dataIndex = 0; dataIndex < message.partitions.length; dataIndex++) {
      const data = message.partitions[dataIndex]!;
      this.followers.get(data.topicPartition)?.onFetchData(data, this);
      for (let batchIndex = 0; batchIndex < data.batches.length; batchIndex++) {
        const batch = data.batches[batchIndex]!;
        costNs += cpu.replicaBatchNs + cpu.replicaRecordNs * batch.count + cpu.replicaByteNs * batch.bytes;
      }
    }
    // The appends' CPU (cpu-costs.ts) keeps the thread from its next fetch.
    // The appends take effect at once and the next fetch is decided now; it
    // leaves after that CPU (a delay on the send, not an event of its own:
    // the thread has nothing else to do meanwhile, its one fetch being
    // answered). A simplification: the appends are visible (to a crash, to
    // the log's readers) up to costNs early.
    this.cpuNsTotal += costNs;
    this.sendFetch(Math.round(costNs));
  }

  // ------------------------------------------------------------ WriteWaiter

  onWriteBlocked(): void {
    this.writesBlocked++;
  }

  onWriteReturned(): void {
    this.writesBlocked--;
    if (this.writesBlocked === 0) this.sendFetch();
  }

  // ------------------------------------------------------------ the fetch loop

  /** `cpuDelayNs`: CPU the thread still spends before the request leaves (Endpoint.send). */
  private sendFetch(cpuDelayNs = 0): void {
    if (this.link === null || !this.link.isOpen || this.isFetchInFlight || this.writesBlocked > 0) return;
    const now = this.host.node.now;
    const parts: FetchPartition[] = [];
    let wakeAtNs = Number.POSITIVE_INFINITY;
    for (const follower of this.followers.values()) {
      // The thread flushes synchronously: while one flush runs, no partition fetches.
      if (follower.isFlushBlocking) return;
      if (!follower.isFetching) continue;
      if (follower.backoffUntilNs > now) {
        wakeAtNs = Math.min(wakeAtNs, follower.backoffUntilNs);
        continue;
      }
      parts.push(follower.fetchPartition());
    }
    if (parts.length === 0) {
      if (wakeAtNs !== Number.POSITIVE_INFINITY && this.wakeHandle === NO_EVENT) this.wakeHandle = this.host.node.at(wakeAtNs, this.onWakeBound);
      return;
    }
    this.isFetchInFlight = this.link.request({
      kind: "fetch",
      correlationId: this.correlationIdNext++,
      replica: this.host.node.name,
      maxWaitMs: this.host.config["replica.fetch.wait.max.ms"],
      maxBytes: this.host.config["replica.fetch.response.max.bytes"],
      partitions: parts,
    }, cpuDelayNs);
  }
}
