/**
 * A Kafka broker: hosts partition replicas, keeps its session with the
 * controller by heartbeats on the control plane, applies the partition states
 * the controller pushes, serves Produce / Fetch / OffsetsForLeaderEpoch /
 * Metadata on the data plane, and checkpoints high watermarks to
 * `replication-offset-checkpoint` every
 * `replica.high.watermark.checkpoint.interval.ms` (that file is what a
 * restarted replica truncates to under pre-KIP-101 truncation).
 */
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { DiskFile } from "../../world/disk.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, msToNs, type KafkaBrokerConfig } from "./config.js";
import { assert } from "../../kernel/index.js";
import { PartitionReplica, type ReplicaHost } from "./partition-replica.js";
import { DelayedActions } from "./delayed-actions.js";
import { DelayedFetch } from "./delayed-fetch.js";
import { DeadlineList } from "../../world/deadline-timer.js";
import { ReplicaFetcher } from "./replica-fetcher.js";
import { ProduceAnswer } from "./produce-answer.js";
import { PeerLink } from "./peer-link.js";
import { RequestChannel, type BrokerRequest } from "./request-channel.js";
import { DEFAULT_CPU_COSTS, type KafkaCpuCosts } from "./cpu-costs.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import {
  CONTROLLER_CLASS,
  CONTROLLER_PORT,
  DATA_PORT,
  wireBytesOf,
  type KafkaMessage,
  type PartitionState,
} from "./protocol.js";

const CONTROLLER_RECONNECT_NS = msToNs(100);
/** BrokerLifecycleManager's resendExponentialBackoff: 100 ms, doubling, up to broker.session.timeout.ms (its 2% jitter left out). */
const HEARTBEAT_BACKOFF_INITIAL_NS = msToNs(100);
/** After the first answer that does not yet allow the shutdown, the next heartbeat goes this soon (BrokerLifecycleManager). */
const SHUTDOWN_HEARTBEAT_NS = msToNs(50);
const CHECKPOINT_FILE = "replication-offset-checkpoint";

type Checkpoint = [string, number][];

export class KafkaBroker implements NodeSoftware, ReplicaHost {
  readonly world: World;
  readonly config: KafkaBrokerConfig;
  readonly cpu: KafkaCpuCosts;
  readonly actions = new DelayedActions();
  node!: WorldNode;
  private readonly controllerName: string;
  /** The initial assignment: which partitions this broker hosts. */
  private readonly assignment: readonly PartitionState[];
  private replicas = new Map<string, PartitionReplica>();
  /** One replica fetcher per leader broker this broker follows partitions of (num.replica.fetchers = 1). */
  private fetchers = new Map<string, ReplicaFetcher>();
  /** Partition states as last pushed by the controller (the metadata cache). */
  private metadata = new Map<string, PartitionState>();
  private controller: PeerLink | null = null;
  private checkpointFile!: DiskFile<Checkpoint>;
  private readonly dataHandler: ConnectionHandler;
  /** Requests from the data-plane connections on their way to the handler threads; new per process start. */
  private requests!: RequestChannel;
  /** Parked fetches waiting out their maxWaitMs, expired by one timer; new per process start. */
  private fetchPurgatory!: DeadlineList<DelayedFetch>;
  private readonly onHeartbeatBound = (): void => this.onHeartbeatTimer();
  /** One heartbeat in flight at a time (BrokerLifecycleManager's communicationInFlight). */
  private isHeartbeatInFlight = false;
  private heartbeatTimer: EventHandle = NO_EVENT;
  private heartbeatFailures = 0;
  private heartbeatCorrelationIdNext = 1;
  private readonly onLagCheckBound = (): void => this.onLagCheck();
  private readonly onCheckpointBound = (): void => this.onCheckpoint();
  private readonly onTimedFlushBound = (): void => this.onTimedFlush();
  /** Set while a controlled shutdown is under way: how the process exits when it is done. */
  private exitAfterShutdown: (() => void) | null = null;
  private isFlushingForExit = false;

  constructor(options: { world: World; config: KafkaBrokerConfig; controller: string; assignment: readonly PartitionState[]; cpu?: KafkaCpuCosts }) {
    this.world = options.world;
    this.config = options.config;
    this.cpu = options.cpu ?? DEFAULT_CPU_COSTS;
    this.controllerName = options.controller;
    this.assignment = options.assignment;
    this.dataHandler = {
      onData: (endpoint, payload, bytes) => this.requests.receive(endpoint, payload as KafkaMessage, bytes),
      onClose: (endpoint) => this.requests.close(endpoint),
    };
  }

  get brokerEpoch(): number {
    return this.node.incarnation;
  }

  /**
   * CPU its threads have spent since the process started: the handler pool
   * together (and its size), the busiest processor, the busiest replica
   * fetcher (cpu-costs.ts). A restart starts the counts again.
   */
  cpuUse(): { handlerNs: number; handlerThreads: number; processorNsMax: number; fetcherNsMax: number } {
    let fetcherNsMax = 0;
    for (const fetcher of this.fetchers.values()) fetcherNsMax = Math.max(fetcherNsMax, fetcher.cpuNs);
    return { handlerNs: this.requests.handlerCpuNs, handlerThreads: this.config["num.io.threads"], processorNsMax: this.requests.processorCpuNsMax, fetcherNsMax };
  }

  /** A log that came back from a restart shorter than it was (an unflushed tail lost with the page cache): a truncation on the run's timeline. */
  private noteRecoveredLog(topicPartition: string, endBefore: number | undefined, endAfter: number): void {
    if (endBefore === undefined || endAfter >= endBefore) return;
    this.world.clusterLog.record("truncation", topicPartition, this.node.name, -1, `log recovery at restart: offset ${endBefore} → ${endAfter} (unflushed tail lost)`, endAfter);
  }

  replica(topicPartition: string): PartitionReplica | undefined {
    return this.replicas.get(topicPartition);
  }

  start(node: WorldNode): void {
    this.node = node;
    this.exitAfterShutdown = null;
    this.isFlushingForExit = false;
    const disk = this.world.disk(node.name);
    this.checkpointFile = disk.open<Checkpoint>(CHECKPOINT_FILE);
    const checkpoint = new Map(this.checkpointFile.records.at(-1)?.value ?? []);
    const previous = this.replicas;
    this.replicas = new Map();
    this.fetchers = new Map();
    this.metadata = new Map();
    for (const state of this.assignment) {
      this.metadata.set(state.topicPartition, { ...state, leader: null, leaderEpoch: -1, partitionEpoch: -1 });
      if (state.replicas.includes(node.name)) {
        const replica = new PartitionReplica(this, state, checkpoint.get(state.topicPartition) ?? 0);
        this.replicas.set(state.topicPartition, replica);
        this.noteRecoveredLog(state.topicPartition, previous.get(state.topicPartition)?.log.logEndOffset, replica.log.logEndOffset);
      }
    }
    this.fetchPurgatory = new DeadlineList<DelayedFetch>(node, completeFetch, isFetchAnswered);
    this.requests = new RequestChannel({
      node,
      threads: this.config["num.io.threads"],
      queueCapacity: this.config["queued.max.requests"],
      processors: this.config["num.network.threads"],
      readCostNs: (bytes) => this.cpu.networkRequestNs + this.cpu.networkByteNs * bytes,
      handleCostNs: (message) => handleCostNs(this.cpu, message),
      handle: (request) => this.onDataRequest(request),
    });
    this.world.net.listen(node, DATA_PORT, { accept: () => this.dataHandler });
    this.isHeartbeatInFlight = false;
    this.heartbeatTimer = NO_EVENT;
    this.heartbeatFailures = 0;
    const heartbeatTimeoutNs = msToNs(Math.min(this.config["controller.socket.timeout.ms"], this.config["broker.session.timeout.ms"] / 2));
    this.controller = new PeerLink(
      this.world,
      node,
      this.world.node(this.controllerName),
      CONTROLLER_PORT,
      CONTROLLER_CLASS,
      CONTROLLER_RECONNECT_NS,
      {
        onMessage: (message) => this.onControllerMessage(message),
        onOpen: () => this.onControllerOpen(),
        onDown: () => this.onControllerDown(),
      },
      heartbeatTimeoutNs,
      "kafka.broker.heartbeat-timeout",
    );
    this.controller.connect();
    node.after(this.lagCheckIntervalNs(), this.onLagCheckBound);
    node.after(msToNs(this.config["replica.high.watermark.checkpoint.interval.ms"]), this.onCheckpointBound);
    if (this.hasFlusher()) node.after(msToNs(this.config["log.flush.scheduler.interval.ms"]), this.onTimedFlushBound);
  }

  /** log.flush.scheduler.interval.ms is set (Kafka's default, Long.MAX_VALUE, means the flusher never runs). */
  private hasFlusher(): boolean {
    return this.config["log.flush.scheduler.interval.ms"] < DEFAULT_BROKER_CONFIG["log.flush.scheduler.interval.ms"];
  }

  /**
   * Kafka's LogManager.flushDirtyLogs, every log.flush.scheduler.interval.ms:
   * each log not flushed for log.flush.interval.ms is flushed. It gates no
   * acknowledgement.
   */
  private onTimedFlush(): void {
    const intervalNs = msToNs(this.config["log.flush.interval.ms"]);
    for (const replica of this.replicas.values()) replica.flushIfDue(intervalNs);
    this.node.after(msToNs(this.config["log.flush.scheduler.interval.ms"]), this.onTimedFlushBound);
  }

  fetcherFor(leader: string): ReplicaFetcher {
    let fetcher = this.fetchers.get(leader);
    if (fetcher === undefined) {
      fetcher = new ReplicaFetcher(this, leader);
      this.fetchers.set(leader, fetcher);
    }
    return fetcher;
  }

  sendToController(message: KafkaMessage): boolean {
    return this.controller?.send(message) ?? false;
  }

  /**
   * BrokerLifecycleManager: one heartbeat in flight; the next goes
   * broker.heartbeat.interval.ms after an answer, or after an exponential
   * backoff when the request timed out or the connection dropped.
   */
  private sendHeartbeat(): void {
    if (this.isHeartbeatInFlight || this.controller === null || !this.controller.isOpen) return;
    this.node.cancel(this.heartbeatTimer);
    this.heartbeatTimer = NO_EVENT;
    this.isHeartbeatInFlight = this.controller.request({
      kind: "broker-heartbeat",
      correlationId: this.heartbeatCorrelationIdNext++,
      broker: this.node.name,
      brokerEpoch: this.brokerEpoch,
      wantShutDown: this.exitAfterShutdown !== null,
    });
  }

  private scheduleHeartbeat(delayNs: number): void {
    this.node.cancel(this.heartbeatTimer);
    this.heartbeatTimer = this.node.after(delayNs, this.onHeartbeatBound);
  }

  private onControllerOpen(): void {
    // The first heartbeat of this connection, unless a backoff is running.
    if (this.heartbeatTimer === NO_EVENT) this.sendHeartbeat();
  }

  private onControllerDown(): void {
    this.isHeartbeatInFlight = false;
    const backoffNs = HEARTBEAT_BACKOFF_INITIAL_NS * 2 ** Math.min(this.heartbeatFailures, 30);
    this.heartbeatFailures++;
    this.scheduleHeartbeat(Math.min(backoffNs, msToNs(this.config["broker.session.timeout.ms"])));
    // AlterPartition requests on the lost connection are retried (AlterPartitionManager): forget them.
    for (const replica of this.replicas.values()) replica.onAlterPartitionRejected();
  }

  private onHeartbeatResponse(shouldShutDown: boolean): void {
    this.isHeartbeatInFlight = false;
    this.heartbeatFailures = 0;
    if (shouldShutDown) this.onShouldShutDown();
    const isShuttingDown = this.exitAfterShutdown !== null;
    this.scheduleHeartbeat(isShuttingDown ? SHUTDOWN_HEARTBEAT_NS : msToNs(this.config["broker.heartbeat.interval.ms"]));
  }

  /**
   * A controlled shutdown (controlled.shutdown.enable, the default): ask the
   * controller, in the next heartbeats, to move this broker's leaderships
   * and take it out of the ISRs; when it answers that the broker leads
   * nothing, flush every log (a clean shutdown needs no log recovery) and
   * exit. A rolling restart is then not a crash: producers see a leader
   * change, not a dead leader. Kafka's BrokerLifecycleManager / BrokerServer.shutdown.
   */
  shutdown(_node: WorldNode, exit: () => void): boolean {
    this.exitAfterShutdown = exit;
    this.sendHeartbeat();
    return true;
  }

  private onShouldShutDown(): void {
    const exit = this.exitAfterShutdown;
    if (exit === null || this.isFlushingForExit) return;
    this.isFlushingForExit = true;
    const disk = this.world.disk(this.node.name);
    let pending = this.replicas.size;
    if (pending === 0) return exit();
    for (const replica of this.replicas.values()) {
      disk.fsync(replica.log.diskFile, () => {
        if (--pending === 0) exit();
      }, null);
    }
  }

  private onHeartbeatTimer(): void {
    this.heartbeatTimer = NO_EVENT;
    this.sendHeartbeat();
  }

  private lagCheckIntervalNs(): number {
    return Math.max(1, Math.floor(msToNs(this.config["replica.lag.time.max.ms"]) / 2));
  }

  private onLagCheck(): void {
    for (const replica of this.replicas.values()) replica.checkIsrLag();
    this.node.after(this.lagCheckIntervalNs(), this.onLagCheckBound);
  }

  /** Kafka writes the checkpoint to a temp file, fsyncs and renames: it is durable when done. */
  private onCheckpoint(): void {
    const disk = this.world.disk(this.node.name);
    const entries: Checkpoint = [];
    for (const replica of this.replicas.values()) entries.push([replica.topicPartition, replica.highWatermark]);
    disk.truncate(this.checkpointFile, 0);
    disk.append(this.checkpointFile, entries, 16 + 24 * entries.length);
    disk.fsync(this.checkpointFile, noop, null);
    this.node.after(msToNs(this.config["replica.high.watermark.checkpoint.interval.ms"]), this.onCheckpointBound);
  }

  private onControllerMessage(message: KafkaMessage): void {
    switch (message.kind) {
      case "partition-state":
        for (const state of message.states) {
          const known = this.metadata.get(state.topicPartition);
          if (known === undefined || state.leaderEpoch > known.leaderEpoch || (state.leaderEpoch === known.leaderEpoch && state.partitionEpoch > known.partitionEpoch)) {
            this.metadata.set(state.topicPartition, state);
          }
          this.replicas.get(state.topicPartition)?.applyState(state);
        }
        return;
      case "alter-partition-response":
        if (message.error !== "NONE") this.replicas.get(message.topicPartition)?.onAlterPartitionRejected();
        if (message.state !== null) this.replicas.get(message.topicPartition)?.applyState(message.state);
        return;
      case "broker-heartbeat-response":
        return this.onHeartbeatResponse(message.shouldShutDown);
      default:
        return;
    }
  }

  /** A handler thread takes a data-plane request (see request-channel.ts). */
  private onDataRequest(request: BrokerRequest): void {
    const { endpoint, message } = request;
    switch (message.kind) {
      case "produce": {
        assert(message.parts.length > 0, `produce ${message.correlationId} with no partition`);
        const answer = new ProduceAnswer(request, message);
        const parts = message.parts;
        // Every partition is appended before any parked fetch is checked (Kafka's ActionQueue, delayed-actions.ts).
        this.actions.begin();
        for (let index = 0; index < parts.length; index++) {
          const part = parts[index]!;
          const replica = this.replicas.get(part.topicPartition);
          if (replica === undefined) answer.answer(index, "NOT_LEADER_OR_FOLLOWER", -1);
          else replica.onProduce(answer, index, part.batch, message.acks, message.timeoutMs);
        }
        this.actions.complete();
        return answer.handled();
      }
      case "fetch": {
        assert(message.partitions.length > 0, `fetch ${message.correlationId} with no partition`);
        new DelayedFetch(this.node, request, message, this, this.fetchPurgatory).start();
        return request.releaseThread();
      }
      case "offsets-for-leader-epoch": {
        const replica = this.replicas.get(message.topicPartition);
        if (replica === undefined) {
          this.reply(endpoint, { kind: "offsets-for-leader-epoch-response", correlationId: message.correlationId, topicPartition: message.topicPartition, error: "NOT_LEADER_OR_FOLLOWER", leaderEpoch: -1, endOffset: -1 });
        } else {
          replica.onOffsetsForLeaderEpoch(endpoint, message);
        }
        return answerAtOnce(request);
      }
      case "metadata":
        this.reply(endpoint, { kind: "metadata-response", correlationId: message.correlationId, partitions: [...this.metadata.values()].map((state) => ({ ...state, isr: [...state.isr], replicas: [...state.replicas] })) });
        return answerAtOnce(request);
      default:
        return answerAtOnce(request);
    }
  }

  private reply(endpoint: Endpoint, message: KafkaMessage): void {
    if (endpoint.isOpen) endpoint.send(message, wireBytesOf(message));
  }
}

function noop(): void {}

/** A handler thread's CPU for a request (cpu-costs.ts): per request, plus per batch, record and byte appended, or per partition fetched. */
function handleCostNs(cpu: KafkaCpuCosts, message: KafkaMessage): number {
  let costNs = cpu.handlerRequestNs;
  if (message.kind === "produce") {
    for (let partIndex = 0; partIndex < message.parts.length; partIndex++) {
      const part = message.parts[partIndex]!;
      costNs += cpu.handlerBatchNs + cpu.handlerRecordNs * part.batch.count + cpu.handlerByteNs * part.batch.bytes;
    }
  } else if (message.kind === "fetch") {
    costNs += cpu.fetchPartitionNs * message.partitions.length;
  }
  return costNs;
}

function completeFetch(fetch: DelayedFetch): void {
  fetch.complete();
}

function isFetchAnswered(fetch: DelayedFetch): boolean {
  return fetch.isCompleted;
}

/** A request answered by its handler thread on the spot. */
function answerAtOnce(request: BrokerRequest): void {
  request.releaseThread();
  request.finish();
}
