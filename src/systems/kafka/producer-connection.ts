/**
 * The producer's connection to one broker (one slice of Kafka's
 * NetworkClient): connect on demand, track requests awaiting a response in
 * send order, time them out, reconnect after a backoff. The connecting,
 * deadlines and backoff are the shared ReconnectingLink's
 * (src/world/reconnecting-link.ts, on demand); this adds the requests'
 * batches and the producer's own limits (in-flight, send buffer).
 *
 * Kafka's behaviour on request.timeout.ms is kept: the request that timed out
 * *closes the connection* (NetworkClient.handleTimedOutRequests), so every
 * other request in flight on it fails too and is retried by its owner. That
 * is also why a timed-out request has an unknown outcome: it may have been
 * written and only its response lost.
 */
import { assert } from "../../kernel/index.js";
import type { DurationNs, TimeNs } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
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

export class BrokerConnection {
  readonly broker: WorldNode;
  private readonly node: WorldNode;
  private readonly owner: BrokerConnectionOwner;
  private readonly requestTimeoutNs: DurationNs;
  /** send.buffer.bytes: no write while this much waits for the broker's TCP acknowledgement. */
  private readonly sendBufferBytes: number;
  private readonly link: ReconnectingLink<KafkaMessage>;
  /** Requests awaiting a response, by correlation id; Map order is send order (the link keeps their deadlines). */
  private readonly inFlight = new Map<number, InFlightRequest>();

  constructor(options: {
    world: World;
    node: WorldNode;
    broker: WorldNode;
    owner: BrokerConnectionOwner;
    requestTimeoutNs: DurationNs;
    reconnectBackoffNs: DurationNs;
    sendBufferBytes: number;
  }) {
    this.node = options.node;
    this.broker = options.broker;
    this.owner = options.owner;
    this.requestTimeoutNs = options.requestTimeoutNs;
    this.sendBufferBytes = options.sendBufferBytes;
    this.link = new ReconnectingLink<KafkaMessage>(
      {
        world: options.world,
        node: options.node,
        hosts: [options.broker],
        port: DATA_PORT,
        trafficClass: DATA_CLASS,
        bytesOf: wireBytesOf,
        reconnectBackoffNs: options.reconnectBackoffNs,
        reconnect: "on-demand",
        // Every request gets the same timeout, so in send order the oldest always runs out first.
        requests: { timeoutNs: options.requestTimeoutNs, timeoutMark: "kafka.producer.request-timeout" },
      },
      {
        onOpen: () => this.owner.onConnectionOpen(this),
        onMessage: (message) => this.owner.onResponse(this, message),
        onDown: (_, timedOutId) => this.lose(timedOutId),
      },
    );
  }

  get phase(): ConnectionPhase {
    return this.link.state;
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
    return this.link.ensureConnecting();
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
    if (!this.link.isEstablished) return false;
    return isOneWay ? !this.canWrite() : !this.canSend(inFlightMax);
  }

  /** True when the socket accepts bytes: open, and its send buffer not full (acks=0 requests ignore the in-flight limit: nothing comes back). */
  canWrite(): boolean {
    return this.link.isEstablished && this.link.bufferedBytes < this.sendBufferBytes;
  }

  /** Writes a request that expects a response and starts its request.timeout.ms clock. */
  sendRequest(message: KafkaMessage & { correlationId: number }, batches: readonly ProducerBatch[] | null): InFlightRequest {
    if (!(this.canWrite())) assert(false, `producer ${this.node.name}: request to ${this.broker.name} on a connection that is not open`);
    if (!(!this.inFlight.has(message.correlationId))) assert(false, `duplicate correlation id ${message.correlationId}`);
    const written = this.link.request(message, message.correlationId);
    if (!(written)) assert(false, `producer ${this.node.name}: an open endpoint refused a write`);
    const request: InFlightRequest = { connection: this, correlationId: message.correlationId, batches, deadlineNs: this.node.now + this.requestTimeoutNs };
    this.inFlight.set(message.correlationId, request);
    return request;
  }

  /** Writes a request nobody answers (acks=0): done once it is on the socket. */
  sendOneWay(message: KafkaMessage): void {
    if (!(this.canWrite())) assert(false, `producer ${this.node.name}: write to ${this.broker.name} on a connection that is not open`);
    const written = this.link.send(message);
    if (!(written)) assert(false, `producer ${this.node.name}: an open endpoint refused a write`);
    // NetworkClient counts an acks=0 request in flight until it is fully sent, and times it out like any other.
    this.link.watchUnsent();
  }

  /** Removes and returns the request a response answers (undefined for an unknown or late one). */
  take(correlationId: number): InFlightRequest | undefined {
    const request = this.inFlight.get(correlationId);
    if (request === undefined) return undefined;
    this.inFlight.delete(correlationId);
    this.link.forget(correlationId);
    return request;
  }

  private lose(timedOutId: number | null): void {
    const lost = [...this.inFlight.values()];
    const timedOut = timedOutId === null ? null : (this.inFlight.get(timedOutId) ?? null);
    this.inFlight.clear();
    this.owner.onConnectionLost(this, lost, timedOut);
  }
}
