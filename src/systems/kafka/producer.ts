/**
 * The Kafka producer client: KafkaProducer with its accumulator, sender and
 * metadata, as the Java client behaves with the same settings.
 *
 * - send() appends messages to the partition's open batch; a batch is sealed
 *   at batch.size bytes or linger.ms after its first message, and only then
 *   gets message ids and a "send" event in the history.
 * - The sender drains, for each broker, one sealed batch of every partition
 *   that broker leads into one ProduceRequest (Kafka's Sender and
 *   RecordAccumulator.drain), up to max.request.size bytes, at most
 *   max.in.flight.requests.per.connection requests unanswered per broker
 *   connection: the window counts requests, not batches. (Kafka keeps
 *   filling a batch whose linger.ms has run out while its broker's window is
 *   full; mqsim seals it at linger.ms and queues it.)
 * - Every batch ends with exactly one "send-result" in the history ("ok",
 *   "error" or "unknown"); how each attempt ends, whether it is retried and
 *   which result the batch gets is decided in producer-outcomes.ts.
 * - acks=0: a batch is "ok" once it is written to the socket (position -1).
 *   Nothing comes back, so nothing can be retried: this is exactly how acks=0
 *   loses data, and the history shows it.
 * - Plain producer with more than one request in flight: a failed batch is
 *   retried after later ones were written, so it lands after them. That is
 *   Kafka's documented reordering, kept on purpose so checkers can see it.
 * - Idempotent producer (KIP-98, default since Kafka 3.0 per KIP-679): each
 *   batch carries (producerId, baseSequence), fixed at its first send and
 *   resent unchanged on every retry; the broker drops duplicates and rejects
 *   gaps (OUT_OF_ORDER_SEQUENCE_NUMBER, retried while an earlier batch of the
 *   partition is unresolved), and a retried batch waits until its partition
 *   has nothing in flight, so order survives retries.
 *
 * The owner builds a KafkaProducer from its NodeSoftware.start and calls
 * start(): all of the producer's timers and connections belong to that
 * process incarnation, so a client crash kills it. A restarted client builds
 * a fresh producer, which gets a new producer id — as a restarted Java
 * producer does (its InitProducerId returns a new id; only transactional
 * producers keep theirs).
 */
import { assert } from "../../kernel/index.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { TimeNs } from "../../kernel/index.js";
import type { History, SendOutcome } from "../../history/history.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { KafkaProducerConfig } from "./config.js";
import { RecordAccumulator, type AccumulatorSink, type ProducerPartition } from "./producer-accumulator.js";
import type { ProducerBatch } from "./producer-batch.js";
import { resolveProducerConfig, type ResolvedProducerConfig } from "./producer-config.js";
import { BrokerConnection, type BrokerConnectionOwner, type InFlightRequest } from "./producer-connection.js";
import { ProducerMetadata } from "./producer-metadata.js";
import { BatchOutcomes } from "./producer-outcomes.js";
import { DEFAULT_CPU_COSTS, type KafkaCpuCosts } from "./cpu-costs.js";
import { BufferPool } from "./producer-buffer-pool.js";
import { drainOneRequest, hasDueHead } from "./producer-drain.js";
import { ReadyNodes, type LeaderGroup, type ReadyNodesHost } from "./producer-ready-nodes.js";
import { CallerThread } from "./caller-thread.js";
import type { KafkaMessage, ProducePart, ProduceRequest } from "./protocol.js";

export interface KafkaProducerOptions {
  world: World;
  /** The client's node: the producer runs in its current process incarnation. */
  node: WorldNode;
  /** Broker node names to ask for metadata (bootstrap.servers). */
  bootstrap: readonly string[];
  config: Partial<KafkaProducerConfig>;
  history: History;
  /** What the application thread spends per record in send() (cpu-costs.ts); Kreps 2014's calibration by default. */
  cpu?: KafkaCpuCosts;
  /** The name this client has in the history. */
  clientName: string;
}

export class KafkaProducer implements AccumulatorSink, BrokerConnectionOwner {
  readonly config: ResolvedProducerConfig;
  readonly clientName: string;
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly incarnation: number;
  private readonly history: History;
  private readonly accumulator: RecordAccumulator;
  private readonly metadata: ProducerMetadata;
  /** One connection per broker, in the order first needed. */
  private readonly connections = new Map<string, BrokerConnection>();
  /** buffer.memory: a full pool blocks the application thread's send(). */
  readonly bufferPool: BufferPool;
  /** The application thread's CPU in send() (producerRecordNs per record). */
  readonly caller: CallerThread;
  /** bootstrap.servers: every broker a partition can be led by in these clusters. */
  private readonly brokerNames: readonly string[];
  private readonly outcomes: BatchOutcomes;
  private correlationIdNext = 1;
  /** The sender pass's ready brokers (RecordAccumulator.ready, with its drainIndex). */
  private readonly readyNodes = new ReadyNodes();
  private readonly readyNodesHost: ReadyNodesHost = {
    leaderOf: (topicPartition) => this.metadata.leaderOf(topicPartition),
    requestMetadataUpdate: () => this.metadata.requestUpdate(),
    wakeSenderAt: (timeNs) => this.wakeAt(timeNs),
  };
  private isStarted = false;
  private isDrainPending = false;
  private wakeHandle: EventHandle = NO_EVENT;
  private wakeAtNs: TimeNs = Number.POSITIVE_INFINITY;
  private readonly drainBound = (): void => this.drain();
  private readonly onWakeBound = (): void => this.onWake();

  constructor(options: KafkaProducerOptions) {
    this.config = resolveProducerConfig(options.config);
    this.world = options.world;
    this.node = options.node;
    assert(this.node.isProcessAlive, `producer ${options.clientName}: built on ${this.node.name} while it is ${this.node.state}`);
    this.incarnation = this.node.incarnation;
    this.history = options.history;
    this.clientName = options.clientName;
    // Resolve every bootstrap name now, so a typo fails at construction rather than mid-run.
    for (const name of options.bootstrap) this.world.node(name);
    this.brokerNames = [...options.bootstrap];
    this.caller = new CallerThread(this.node, (options.cpu ?? DEFAULT_CPU_COSTS).producerRecordNs);
    this.bufferPool = new BufferPool(this.node, this.config.batchSizeBytes, this.config.bufferMemoryBytes, this.clientName);
    this.metadata = new ProducerMetadata({
      bootstrap: [...options.bootstrap],
      retryBackoffNs: this.config.retryBackoffNs,
      maxAgeNs: this.config.metadataMaxAgeNs,
    });
    this.accumulator = new RecordAccumulator({
      node: this.node,
      history: this.history,
      clientName: this.clientName,
      batchSizeBytes: this.config.batchSizeBytes,
      lingerNs: this.config.lingerNs,
      sink: this,
    });
    this.outcomes = new BatchOutcomes({
      config: this.config,
      clientName: this.clientName,
      world: this.world,
      node: this.node,
      history: this.history,
      accumulator: this.accumulator,
      metadata: this.metadata,
      onBatchDone: () => this.bufferPool.release(),
    });
  }

  /** The idempotent producer id batches are currently stamped with; -1 when idempotence is off. */
  get producerId(): number {
    return this.outcomes.producerId;
  }

  /** Fetches metadata from a bootstrap broker; call once, from the owner's NodeSoftware.start. */
  start(): void {
    this.assertAlive();
    assert(!this.isStarted, `producer ${this.clientName}: started twice`);
    this.isStarted = true;
    this.scheduleDrain();
  }

  /** Enqueues `count` messages of `bytesPerMessage` bytes for `topicPartition` ("orders-3"). */
  /** Hands messages to the producer; `onComplete` runs when the batch holding the last of them gets its result. */
  send(topicPartition: string, count: number, bytesPerMessage: number, onComplete?: (outcome: SendOutcome) => void): void {
    this.assertAlive();
    if (!(this.isStarted)) assert(false, `producer ${this.clientName}: send before start`);
    if (!(Number.isSafeInteger(count) && count > 0)) assert(false, `producer ${this.clientName}: send of ${count} messages`);
    if (!(Number.isSafeInteger(bytesPerMessage) && bytesPerMessage > 0)) assert(false, `producer ${this.clientName}: messages of ${bytesPerMessage} bytes`);
    const batch = this.accumulator.append(topicPartition, count, bytesPerMessage);
    if (onComplete !== undefined) (batch.completions ??= []).push(onComplete);
    this.caller.chargeRecords(count);
  }

  /** max.block.ms: how long send() may block on a full buffer. */
  get maxBlockNs(): number {
    return this.config.maxBlockNs;
  }

  /** ProduceRequests written and not yet answered, over every broker connection. */
  inFlightCount(): number {
    let count = 0;
    for (const connection of this.connections.values()) count += connection.produceInFlightCount();
    return count;
  }

  /** True when every message handed to send() has its send-result in the history. */
  isIdle(): boolean {
    return this.outcomes.unresolved === 0;
  }

  // ---------------------------------------------------------------- AccumulatorSink

  onBatchCreated(batch: ProducerBatch): void {
    this.bufferPool.allocate();
    this.outcomes.onBatchCreated(batch);
    // Like Kafka's send() waiting on metadata: start finding the leader while the batch lingers.
    if (this.metadata.leaderOf(batch.topicPartition) === null) {
      this.metadata.requestUpdate();
      this.scheduleDrain();
    }
  }

  onBatchSealed(_partition: ProducerPartition, _batch: ProducerBatch, isDrained: boolean): void {
    // A batch sealed by linger.ms or by filling wakes the sender, which runs
    // once for everything that came due at this instant (one request for all
    // the partitions of a node). One sealed by the sender itself is being drained.
    if (!isDrained) this.scheduleDrain();
  }

  // ---------------------------------------------------------------- BrokerConnectionOwner

  onConnectionOpen(): void {
    this.runSender();
  }

  onResponse(connection: BrokerConnection, message: KafkaMessage): void {
    if (message.kind === "metadata-response") {
      const request = connection.take(message.correlationId);
      if (request === undefined) return;
      if (!(request.batches === null)) assert(false, `correlation id ${message.correlationId} answered by a metadata response`);
      this.metadata.apply(message, this.node.now);
      if (this.hasQueuedWithoutLeader()) this.outcomes.recordOpFailed("LEADER_NOT_AVAILABLE");
      this.runSender();
    } else if (message.kind === "produce-response") {
      const request = connection.take(message.correlationId);
      if (request === undefined) return;
      const batches = request.batches;
      if (!(batches !== null && batches.length === message.parts.length)) assert(false, `correlation id ${message.correlationId} answered by a produce response of another shape`);
      // Parts come back in the order they were sent.
      for (let k = 0; k < batches.length; k++) this.outcomes.onProduceResponse(connection, batches[k]!, message.parts[k]!);
      this.runSender();
    }
    // Brokers send nothing else on a client connection; anything else is ignored, as a stray frame would be.
  }

  onConnectionLost(connection: BrokerConnection, lost: readonly InFlightRequest[], timedOut: InFlightRequest | null): void {
    // Oldest first. A plain producer re-queues each at the front of its
    // queue, so the newest ends up first: with several requests in flight a
    // disconnect alone reorders batches, as in Kafka's Sender.
    for (const request of lost) {
      if (request.batches === null) continue;
      for (const batch of request.batches) this.outcomes.onAttemptFailed(connection, batch, request === timedOut ? "REQUEST_TIMED_OUT" : "NETWORK_EXCEPTION");
    }
    // A connection that failed with no request on it (a refused connect, a reset idle socket) is a
    // failed attempt too when batches are waiting: the unavailability check must see the stall.
    if (this.outcomes.unresolved > 0 && !lost.some((request) => request.batches !== null)) this.outcomes.recordOpFailed("NETWORK_EXCEPTION");
    if (this.metadata.target === connection.broker.name) this.metadata.fail(this.node.now);
    // Kafka refreshes metadata after a disconnect: the broker may have lost its leaderships.
    this.metadata.requestUpdate();
    this.scheduleDrain();
  }

  // ---------------------------------------------------------------- sender

  /**
   * Wakes the sender from outside its loop (the application's send(), a
   * broken connection): it drains in a zero-delay event, so every trigger of
   * one instant is served by one pass.
   */
  private scheduleDrain(): void {
    if (this.isDrainPending) return;
    this.isDrainPending = true;
    this.node.after(0, this.drainBound);
  }

  /** Drains at `timeNs` (a retry backoff or reconnect backoff ends); keeps only the earliest wake-up. */
  private wakeAt(timeNs: TimeNs): void {
    if (this.wakeHandle !== NO_EVENT && this.wakeAtNs <= timeNs) return;
    this.node.cancel(this.wakeHandle);
    this.wakeAtNs = timeNs;
    this.wakeHandle = this.node.at(timeNs, this.onWakeBound);
  }

  private onWake(): void {
    this.wakeHandle = NO_EVENT;
    this.wakeAtNs = Number.POSITIVE_INFINITY;
    this.runSender();
  }

  private drain(): void {
    this.isDrainPending = false;
    this.runSender();
  }

  /**
   * One pass of Kafka's Sender loop: for each broker that leads a partition
   * with a batch ready, requests of one batch per partition while its window
   * has room; then refresh metadata if needed. Run directly where the sender
   * itself wakes (its timers, a response or a connection completing inside
   * its poll): the same instant as a zero-delay event, one event fewer per
   * batch.
   */
  private runSender(): void {
    const now = this.node.now;
    if (this.outcomes.unresolved > 0) this.metadata.requestUpdateIfStale(now);
    if (!this.isEveryConnectionFull()) {
      const ready = this.readyNodes;
      ready.collect(this.accumulator.partitionList(), now, this.readyNodesHost);
      // In the order the pass met them (the rotation decides who goes first), ready brokers only.
      for (let index = 0; index < ready.brokersMetCount; index++) {
        const broker = ready.brokerMet(index);
        if (ready.isReady(broker)) this.drainBroker(broker, ready.partitionsOf(broker), now);
      }
    }
    this.refreshMetadata(now);
  }

  /**
   * Every broker's connection is open with its window full: no request can
   * go out, so the pass over every partition (O(partitions), run at every
   * send) is skipped; the response that frees a slot runs the sender again.
   * What the pass would also do then (a retry's wake-up, a metadata refresh
   * for a partition without a leader) waits for that response, when it could
   * act on it anyway.
   */
  private isEveryConnectionFull(): boolean {
    const isOneWay = this.config.acksWire === 0;
    for (const name of this.brokerNames) {
      const connection = this.connections.get(name);
      if (connection === undefined || !connection.isFull(this.config.inFlightMax, isOneWay)) return false;
    }
    return true;
  }

  /** Requests to one ready broker while its window has room, each drained by drainOneRequest (producer-drain.ts). */
  private drainBroker(broker: string, group: LeaderGroup, now: TimeNs): void {
    const connection = this.connectionTo(broker);
    const connectAtNs = connection.ensureConnecting();
    if (connectAtNs > now) return this.wakeAt(connectAtNs);
    const isAcks0 = this.config.acksWire === 0;
    // Each request re-checks that the broker is still a ready node: a sealed batch is due.
    while (hasDueHead(group, now)) {
      if (isAcks0 ? !connection.canWrite() : !connection.canSend(this.config.inFlightMax)) return;
      const limits = { isIdempotent: this.config.idempotent, maxRequestBytes: this.config.maxRequestBytes, producerId: this.outcomes.producerId };
      const batches = drainOneRequest(group, now, limits, this.accumulator);
      if (batches.length === 0) return;
      this.sendBatches(batches, connection);
    }
  }

  /** One ProduceRequest carrying `batches` (one per partition); acks=0 batches are done once written. */
  private sendBatches(batches: readonly ProducerBatch[], connection: BrokerConnection): void {
    const parts: ProducePart[] = [];
    for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
      const batch = batches[batchIndex]!;
      if (!(batch.state === "queued")) assert(false, `send of a ${batch.state} batch`);
      const partition = this.accumulator.partition(batch.topicPartition);
      if (this.config.idempotent && !batch.hasSequence) {
        // Sequences are fixed at the first send (Kafka's drain), then reused by every retry.
        batch.producerId = this.outcomes.producerId;
        batch.baseSequence = partition.nextSequence;
        partition.nextSequence += batch.count;
      }
      batch.attempts++;
      // A fresh wire batch per attempt: the broker fills in baseOffset and leaderEpoch on what it receives.
      parts.push({
        topicPartition: batch.topicPartition,
        batch: { baseOffset: -1, leaderEpoch: -1, idFirst: batch.idFirst, count: batch.count, bytes: batch.bytes, producerId: batch.producerId, baseSequence: batch.baseSequence },
      });
    }
    const request: ProduceRequest = { kind: "produce", correlationId: this.correlationIdNext++, acks: this.config.acksWire, timeoutMs: this.config.kafka["request.timeout.ms"], parts };
    if (this.config.acksWire === 0) {
      connection.sendOneWay(request);
      for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
        const batch = batches[batchIndex]!;
        this.outcomes.recordOpOk();
        this.outcomes.complete(batch, "ok", "", -1, connection.broker.name);
      }
      return;
    }
    connection.sendRequest(request, batches);
    for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
      const batch = batches[batchIndex]!;
      batch.state = "in-flight";
      this.accumulator.partition(batch.topicPartition).inFlight.push(batch);
    }
  }

  private refreshMetadata(now: TimeNs): void {
    const metadata = this.metadata;
    if (!metadata.wanted) return;
    // With nothing to send, a refresh waits for the next send (no endless polling of a dead cluster).
    if (metadata.hasEverRefreshed && this.outcomes.unresolved === 0) return;
    if (metadata.target === null) {
      if (now < metadata.retryAtNs) return this.wakeAt(metadata.retryAtNs);
      metadata.begin();
    }
    if (metadata.isRequestSent) return;
    const connection = this.connectionTo(metadata.target!);
    const connectAtNs = connection.ensureConnecting();
    if (connectAtNs > now) return this.wakeAt(connectAtNs);
    if (!connection.canSend(this.config.inFlightMax)) return;
    connection.sendRequest({ kind: "metadata", correlationId: this.correlationIdNext++ }, null);
    metadata.markSent();
  }

  private connectionTo(broker: string): BrokerConnection {
    let connection = this.connections.get(broker);
    if (connection === undefined) {
      connection = new BrokerConnection({
        world: this.world,
        node: this.node,
        broker: this.world.node(broker),
        owner: this,
        requestTimeoutNs: this.config.requestTimeoutNs,
        reconnectBackoffNs: this.config.reconnectBackoffNs,
        sendBufferBytes: this.config.sendBufferBytes,
      });
      this.connections.set(broker, connection);
    }
    return connection;
  }

  /** True when a partition has sealed batches waiting and the metadata names no leader for it. */
  private hasQueuedWithoutLeader(): boolean {
    for (const partition of this.accumulator.partitions.values()) {
      if (partition.queue.length > 0 && this.metadata.leaderOf(partition.topicPartition) === null) return true;
    }
    return false;
  }

  private assertAlive(): void {
    const node = this.node;
    if (!node.isProcessAlive || node.incarnation !== this.incarnation) {
      assert(false, `producer ${this.clientName}: used after its process died (a restarted client builds a new producer)`);
    }
  }
}
