/**
 * The producer's connection to one broker (one slice of Kafka's
 * NetworkClient): connect on demand, track requests awaiting a response in
 * send order, time them out, reconnect after a backoff.
 *
 * Kafka's behaviour on request.timeout.ms is kept: the request that timed out
 * *closes the connection* (NetworkClient.handleTimedOutRequests), so every
 * other request in flight on it fails too and is retried by its owner. That
 * is also why a timed-out request has an unknown outcome: it may have been
 * written and only its response lost.
 */
import { assert } from "../../kernel/index.js";
import type { DurationNs, TimeNs } from "../../kernel/index.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { DeadlineTimer } from "../../world/deadline-timer.js";
import type { ProducerBatch } from "./producer-batch.js";
import { DATA_CLASS, DATA_PORT, wireBytesOf, type KafkaMessage } from "./protocol.js";

export type ConnectionPhase = "idle" | "connecting" | "open";

/** A request awaiting its response; `batches` (one per partition of a ProduceRequest) is null for a MetadataRequest. */
export interface InFlightRequest {
  readonly connection: BrokerConnection;
  readonly correlationId: number;
  readonly batches: readonly ProducerBatch[] | null;
  /** When request.timeout.ms runs out for it. */
  readonly deadlineNs: TimeNs;
}

export interface BrokerConnectionOwner {
  onConnectionOpen(connection: BrokerConnection): void;
  onResponse(connection: BrokerConnection, message: KafkaMessage): void;
  /**
   * The connection is gone (closed by the network, or by us after a request
   * timeout). `lost` holds the requests that were in flight, oldest first;
   * `timedOut` is the one whose timeout closed it, if any.
   */
  onConnectionLost(connection: BrokerConnection, lost: readonly InFlightRequest[], timedOut: InFlightRequest | null): void;
}

export class BrokerConnection implements ConnectionHandler {
  readonly broker: WorldNode;
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly owner: BrokerConnectionOwner;
  private readonly requestTimeoutNs: DurationNs;
  private readonly reconnectBackoffNs: DurationNs;
  /** send.buffer.bytes: no write while this much waits for the broker's TCP acknowledgement. */
  private readonly sendBufferBytes: number;
  /**
   * When request.timeout.ms runs out for a write that has not left the
   * socket (the broker stopped acknowledging): NetworkClient counts an acks=0
   * request in flight until it is fully sent, and times it out like any
   * other. Null while nothing written waits.
   */
  private unsentDeadlineNs: TimeNs | null = null;
  private phaseNow: ConnectionPhase = "idle";
  private endpoint: Endpoint | null = null;
  /** No reconnect before this time (reconnect.backoff.ms after a loss). */
  private reconnectAtNs: TimeNs = 0;
  /** Requests awaiting a response, by correlation id; Map order is send order. */
  private readonly inFlight = new Map<number, InFlightRequest>();
  /**
   * Wakes at the oldest request's deadline. Every request gets the same
   * timeout, so in send order the oldest always runs out first.
   */
  private readonly timeouts: DeadlineTimer;

  constructor(options: {
    world: World;
    node: WorldNode;
    broker: WorldNode;
    owner: BrokerConnectionOwner;
    requestTimeoutNs: DurationNs;
    reconnectBackoffNs: DurationNs;
    sendBufferBytes: number;
  }) {
    this.world = options.world;
    this.node = options.node;
    this.broker = options.broker;
    this.owner = options.owner;
    this.requestTimeoutNs = options.requestTimeoutNs;
    this.reconnectBackoffNs = options.reconnectBackoffNs;
    this.sendBufferBytes = options.sendBufferBytes;
    this.timeouts = new DeadlineTimer(this.node, () => this.onTimeoutCheck());
  }

  get phase(): ConnectionPhase {
    return this.phaseNow;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Requests in flight that carry batches (ProduceRequests). */
  produceInFlightCount(): number {
    let count = 0;
    for (const request of this.inFlight.values()) if (request.batches !== null) count++;
    return count;
  }

  /**
   * Makes sure a connection exists or is being made. Returns the time to try
   * again when still backing off from the last loss, else the current time.
   */
  ensureConnecting(): TimeNs {
    const now = this.node.now;
    if (this.phaseNow !== "idle") return now;
    if (now < this.reconnectAtNs) return this.reconnectAtNs;
    this.phaseNow = "connecting";
    this.endpoint = this.world.net.connect(this.node, this.broker, DATA_PORT, DATA_CLASS, this);
    return now;
  }

  /** True when a request can go out now (open, and under the in-flight limit). */
  canSend(inFlightMax: number): boolean {
    return this.canWrite() && this.inFlight.size < inFlightMax;
  }

  /**
   * Open, and nothing more can go out until a response comes back or the
   * socket drains (the in-flight window, or for acks=0 the send buffer, is
   * full). A connection not open is not "full": it may need connecting.
   */
  isFull(inFlightMax: number, isOneWay: boolean): boolean {
    if (this.phaseNow !== "open" || this.endpoint === null || !this.endpoint.isOpen) return false;
    return isOneWay ? !this.canWrite() : !this.canSend(inFlightMax);
  }

  /** True when the socket accepts bytes: open, and its send buffer not full (acks=0 requests ignore the in-flight limit: nothing comes back). */
  canWrite(): boolean {
    return this.phaseNow === "open" && this.endpoint !== null && this.endpoint.isOpen && this.endpoint.bufferedBytes < this.sendBufferBytes;
  }

  /** Writes a request that expects a response and starts its request.timeout.ms clock. */
  sendRequest(message: KafkaMessage & { correlationId: number }, batches: readonly ProducerBatch[] | null): InFlightRequest {
    if (!(this.canWrite())) assert(false, `producer ${this.node.name}: request to ${this.broker.name} on a connection that is not open`);
    if (!(!this.inFlight.has(message.correlationId))) assert(false, `duplicate correlation id ${message.correlationId}`);
    const written = this.endpoint!.send(message, wireBytesOf(message));
    if (!(written)) assert(false, `producer ${this.node.name}: an open endpoint refused a write`);
    const request: InFlightRequest = { connection: this, correlationId: message.correlationId, batches, deadlineNs: this.node.now + this.requestTimeoutNs };
    this.inFlight.set(message.correlationId, request);
    this.timeouts.armBy(request.deadlineNs);
    return request;
  }

  /** Writes a request nobody answers (acks=0): done once it is on the socket. */
  sendOneWay(message: KafkaMessage): void {
    if (!(this.canWrite())) assert(false, `producer ${this.node.name}: write to ${this.broker.name} on a connection that is not open`);
    const written = this.endpoint!.send(message, wireBytesOf(message));
    if (!(written)) assert(false, `producer ${this.node.name}: an open endpoint refused a write`);
    this.watchUnsent();
  }

  /** A write went into a socket whose peer is not acknowledging: it must leave within request.timeout.ms. */
  private watchUnsent(): void {
    if (this.unsentDeadlineNs !== null || this.endpoint === null || this.endpoint.bufferedBytes === 0) return;
    this.unsentDeadlineNs = this.node.now + this.requestTimeoutNs;
    this.timeouts.armBy(this.unsentDeadlineNs);
  }

  // ---------------------------------------------------------------- ConnectionHandler

  onOpen(endpoint: Endpoint): void {
    if (endpoint !== this.endpoint) return;
    if (!(this.phaseNow === "connecting")) assert(false, `connection to ${this.broker.name} opened while ${this.phaseNow}`);
    this.phaseNow = "open";
    this.owner.onConnectionOpen(this);
  }

  onData(endpoint: Endpoint, payload: unknown): void {
    if (endpoint !== this.endpoint) return;
    const message = payload as KafkaMessage;
    this.owner.onResponse(this, message);
  }

  onClose(endpoint: Endpoint, _reason: CloseReason): void {
    if (endpoint !== this.endpoint) return;
    this.lose(null);
  }

  /** Removes and returns the request a response answers (undefined for an unknown or late one). */
  take(correlationId: number): InFlightRequest | undefined {
    const request = this.inFlight.get(correlationId);
    if (request === undefined) return undefined;
    this.inFlight.delete(correlationId);
    return request;
  }

  // ---------------------------------------------------------------- internals

  /** The oldest request in flight times out at its deadline; if it was answered, wait for the next one's. */
  private onTimeoutCheck(): void {
    if (this.unsentDeadlineNs !== null) {
      if (this.endpoint === null || this.endpoint.bufferedBytes === 0) {
        this.unsentDeadlineNs = null;
      } else if (this.unsentDeadlineNs <= this.node.now) {
        this.world.kernel.marks.hit("kafka.producer.request-timeout");
        this.endpoint.close();
        return this.lose(null);
      } else {
        this.timeouts.armBy(this.unsentDeadlineNs);
      }
    }
    let request: InFlightRequest | undefined;
    for (const oldest of this.inFlight.values()) {
      request = oldest;
      break;
    }
    if (request === undefined) return;
    if (request.deadlineNs > this.node.now) return this.timeouts.armBy(request.deadlineNs);
    this.world.kernel.marks.hit("kafka.producer.request-timeout");
    // An abortive close: the broker hears of it, and nothing more arrives on this socket.
    this.endpoint?.close();
    this.lose(request);
  }

  private lose(timedOut: InFlightRequest | null): void {
    const lost = [...this.inFlight.values()];
    this.inFlight.clear();
    this.unsentDeadlineNs = null;
    this.timeouts.disarm();
    this.endpoint = null;
    this.phaseNow = "idle";
    this.reconnectAtNs = this.node.now + this.reconnectBackoffNs;
    this.owner.onConnectionLost(this, lost, timedOut);
  }
}
