/**
 * The consumer's connection to one node (a broker, or the group
 * coordinator): connects on demand, reconnects after a backoff that doubles
 * with each consecutive failure from reconnect.backoff.ms up to
 * reconnect.backoff.max.ms (Kafka's ClusterConnectionStates, without its
 * ±20% jitter), and fails a request unanswered for request.timeout.ms by closing the
 * connection, as Kafka's NetworkClient does — so every request in flight on
 * it fails with it and its owner retries.
 *
 * The connecting, deadlines and backoff are the shared ReconnectingLink's
 * (src/world/reconnecting-link.ts: on demand, a timer per request, doubling
 * backoff); this adds the wait for the backoff to pass and Kafka's errors.
 *
 * It belongs to one consumer, hence to one process incarnation: its timers
 * and its endpoint die with that process.
 */
import { NO_EVENT, type DurationNs, type EventHandle } from "../../kernel/index.js";
import { assert } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { wireBytesOf, type KafkaMessage } from "./protocol.js";

export interface ConsumerLinkOwner {
  onLinkOpen(link: ConsumerLink): void;
  /** A response to a request of this link that was still awaited. */
  onLinkResponse(link: ConsumerLink, message: KafkaMessage & { correlationId: number }): void;
  /** The connection is gone; `lost` are the correlation ids that were awaiting responses, oldest first. */
  onLinkLost(link: ConsumerLink, lost: readonly number[], error: "NETWORK_EXCEPTION" | "REQUEST_TIMED_OUT"): void;
}

const answerOf = (message: KafkaMessage): number | undefined => ("correlationId" in message ? message.correlationId : undefined);

export class ConsumerLink {
  readonly peer: WorldNode;
  private readonly node: WorldNode;
  private readonly link: ReconnectingLink<KafkaMessage>;
  private isClosed = false;
  private reconnectTimer: EventHandle = NO_EVENT;
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
    this.node = options.node;
    this.peer = options.peer;
    const owner = options.owner;
    this.link = new ReconnectingLink<KafkaMessage>(
      {
        world: options.world,
        node: options.node,
        hosts: [options.peer],
        port: options.port,
        trafficClass: options.trafficClass,
        bytesOf: wireBytesOf,
        reconnectBackoffNs: options.reconnectBackoffNs,
        reconnectBackoffMaxNs: options.reconnectBackoffMaxNs,
        reconnect: "on-demand",
        requests: { timeoutNs: options.requestTimeoutNs, answerOf, timeoutMark: "kafka.consumer.request-timeout", timers: "per-request", isAnswersOnly: true },
      },
      {
        onOpen: () => owner.onLinkOpen(this),
        onMessage: (message) => owner.onLinkResponse(this, message as KafkaMessage & { correlationId: number }),
        onDown: (_, timedOutId, lost) => owner.onLinkLost(this, lost, timedOutId === null ? "NETWORK_EXCEPTION" : "REQUEST_TIMED_OUT"),
      },
    );
  }

  get isOpen(): boolean {
    return this.link.isEstablished;
  }

  /** Connects now, or once the reconnect backoff has passed; the owner hears onLinkOpen. */
  ensureConnecting(): void {
    if (this.isClosed || this.link.state !== "idle" || this.reconnectTimer !== NO_EVENT) return;
    const now = this.node.now;
    const atNs = this.link.ensureConnecting();
    if (atNs > now) this.reconnectTimer = this.node.after(atNs - now, this.onReconnectBound);
  }

  /** Sends a request and awaits its response; false (nothing sent) when the link is not open. */
  request(message: KafkaMessage & { correlationId: number }): boolean {
    if (!this.isOpen) return false;
    const written = this.link.request(message, message.correlationId);
    assert(written, `consumer ${this.node.name}: an open endpoint refused a write`);
    return true;
  }

  /** Closes for good (the consumer is closing). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.link.close();
    this.node.cancel(this.reconnectTimer);
    this.reconnectTimer = NO_EVENT;
  }
}
