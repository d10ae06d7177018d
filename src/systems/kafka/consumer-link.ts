/**
 * The consumer's connection to one node (a broker, or the group
 * coordinator): connects on demand, reconnects after a backoff that doubles
 * with each consecutive failure from reconnect.backoff.ms up to
 * reconnect.backoff.max.ms (Kafka's ClusterConnectionStates, without its
 * ±20% jitter), and fails a request unanswered for request.timeout.ms by closing the
 * connection, as Kafka's NetworkClient does — so every request in flight on
 * it fails with it and its owner retries.
 *
 * It belongs to one consumer, hence to one process incarnation: its timers
 * and its endpoint die with that process.
 */
import { assert } from "../../kernel/index.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { DurationNs, TimeNs } from "../../kernel/index.js";
import type { CloseReason, ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { wireBytesOf, type KafkaMessage } from "./protocol.js";

export interface ConsumerLinkOwner {
  onLinkOpen(link: ConsumerLink): void;
  /** A response to a request of this link that was still awaited. */
  onLinkResponse(link: ConsumerLink, message: KafkaMessage & { correlationId: number }): void;
  /** The connection is gone; `lost` are the correlation ids that were awaiting responses, oldest first. */
  onLinkLost(link: ConsumerLink, lost: readonly number[], error: "NETWORK_EXCEPTION" | "REQUEST_TIMED_OUT"): void;
}

export class ConsumerLink implements ConnectionHandler {
  readonly peer: WorldNode;
  private readonly world: World;
  private readonly node: WorldNode;
  private readonly port: string;
  private readonly trafficClass: string;
  private readonly owner: ConsumerLinkOwner;
  private readonly requestTimeoutNs: DurationNs;
  private readonly reconnectBackoffNs: DurationNs;
  private readonly reconnectBackoffMaxNs: DurationNs;
  /** Consecutive losses without a successful open, for the exponential backoff. */
  private failures = 0;
  private phase: "idle" | "connecting" | "open" | "closed" = "idle";
  private endpoint: Endpoint | null = null;
  private reconnectAtNs: TimeNs = 0;
  private reconnectTimer: EventHandle = NO_EVENT;
  /** Awaited requests' timeout timers by correlation id; Map order is send order. */
  private readonly awaited = new Map<number, EventHandle>();
  private readonly onTimeoutBound = (correlationId: number): void => this.onTimeout(correlationId);
  private readonly onReconnectBound = (): void => {
    this.reconnectTimer = NO_EVENT;
    this.ensureConnecting();
  };

  constructor(options: {
    world: World;
    node: WorldNode;
    peer: WorldNode;
    port: string;
    trafficClass: string;
    owner: ConsumerLinkOwner;
    requestTimeoutNs: DurationNs;
    reconnectBackoffNs: DurationNs;
    reconnectBackoffMaxNs: DurationNs;
  }) {
    this.world = options.world;
    this.node = options.node;
    this.peer = options.peer;
    this.port = options.port;
    this.trafficClass = options.trafficClass;
    this.owner = options.owner;
    this.requestTimeoutNs = options.requestTimeoutNs;
    this.reconnectBackoffNs = options.reconnectBackoffNs;
    this.reconnectBackoffMaxNs = options.reconnectBackoffMaxNs;
  }

  get isOpen(): boolean {
    return this.phase === "open" && this.endpoint !== null && this.endpoint.isOpen;
  }

  /** Connects now, or once the reconnect backoff has passed; the owner hears onLinkOpen. */
  ensureConnecting(): void {
    if (this.phase !== "idle" || this.reconnectTimer !== NO_EVENT) return;
    const now = this.node.now;
    if (now < this.reconnectAtNs) {
      this.reconnectTimer = this.node.after(this.reconnectAtNs - now, this.onReconnectBound);
      return;
    }
    this.phase = "connecting";
    this.endpoint = this.world.net.connect(this.node, this.peer, this.port, this.trafficClass, this);
  }

  /** Sends a request and awaits its response; false (nothing sent) when the link is not open. */
  request(message: KafkaMessage & { correlationId: number }): boolean {
    if (!this.isOpen) return false;
    assert(!this.awaited.has(message.correlationId), `duplicate correlation id ${message.correlationId}`);
    const written = this.endpoint!.send(message, wireBytesOf(message));
    assert(written, `consumer ${this.node.name}: an open endpoint refused a write`);
    this.awaited.set(message.correlationId, this.node.after(this.requestTimeoutNs, this.onTimeoutBound, message.correlationId));
    return true;
  }

  /** Closes for good (the consumer is closing). */
  close(): void {
    if (this.phase === "closed") return;
    for (const timer of this.awaited.values()) this.node.cancel(timer);
    this.awaited.clear();
    this.node.cancel(this.reconnectTimer);
    this.reconnectTimer = NO_EVENT;
    this.endpoint?.close();
    this.endpoint = null;
    this.phase = "closed";
  }

  // ---------------------------------------------------------------- ConnectionHandler

  onOpen(endpoint: Endpoint): void {
    if (endpoint !== this.endpoint || this.phase !== "connecting") return;
    this.phase = "open";
    this.failures = 0;
    this.owner.onLinkOpen(this);
  }

  onData(endpoint: Endpoint, payload: unknown): void {
    if (endpoint !== this.endpoint) return;
    const message = payload as KafkaMessage;
    if (!("correlationId" in message)) return;
    const timer = this.awaited.get(message.correlationId);
    if (timer === undefined) return;
    this.awaited.delete(message.correlationId);
    this.node.cancel(timer);
    this.owner.onLinkResponse(this, message);
  }

  onClose(endpoint: Endpoint, _reason: CloseReason): void {
    if (endpoint !== this.endpoint) return;
    this.lose("NETWORK_EXCEPTION");
  }

  // ---------------------------------------------------------------- internals

  private onTimeout(correlationId: number): void {
    if (!this.awaited.has(correlationId)) return;
    this.world.kernel.marks.hit("kafka.consumer.request-timeout");
    // An abortive close: the peer hears of it, and nothing more arrives on this socket.
    this.endpoint?.close();
    this.lose("REQUEST_TIMED_OUT");
  }

  private lose(error: "NETWORK_EXCEPTION" | "REQUEST_TIMED_OUT"): void {
    const lost = [...this.awaited.keys()];
    for (const timer of this.awaited.values()) this.node.cancel(timer);
    this.awaited.clear();
    this.endpoint = null;
    this.phase = "idle";
    this.failures++;
    const backoffNs = this.reconnectBackoffNs * 2 ** Math.min(this.failures - 1, 30);
    this.reconnectAtNs = this.node.now + Math.min(backoffNs, this.reconnectBackoffMaxNs);
    this.owner.onLinkLost(this, lost, error);
  }
}
