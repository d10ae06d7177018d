/**
 * A broker's connection to one peer port that reconnects after a backoff
 * when it breaks (Kafka's NetworkClient with `reconnect.backoff.ms`): the
 * shared ReconnectingLink (src/world/reconnecting-link.ts) with Kafka's
 * messages and its request timeout. The owner hears every message, and is
 * told when the link opens and drops so it can resend or fail what was in
 * flight.
 *
 * Requests sent with `request` carry a deadline (the client's request
 * timeout: replica.socket.timeout.ms for replica fetchers, the heartbeat
 * channel's for broker heartbeats): when the oldest is not answered by then,
 * the link closes its connection and reconnects, as NetworkClient does on a
 * request timeout. This, not the socket, is how a broker notices a silent
 * peer: TCP keeps a connection across a partition (see world/connection.ts).
 */
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { wireBytesOf, type KafkaMessage } from "./protocol.js";

export interface PeerLinkListener {
  onMessage(message: KafkaMessage): void;
  onOpen(): void;
  onDown(): void;
}

const answerOf = (message: KafkaMessage): number | undefined => ("correlationId" in message ? message.correlationId : undefined);

export class PeerLink {
  private readonly link: ReconnectingLink<KafkaMessage>;

  constructor(
    world: World,
    node: WorldNode,
    readonly peer: WorldNode,
    port: string,
    trafficClass: string,
    reconnectBackoffNs: number,
    listener: PeerLinkListener,
    /** How long a request may wait for its answer before the connection is given up; 0 waits for ever. */
    requestTimeoutNs = 0,
    /** The coverage mark hit when a request times out. */
    timeoutMark = "kafka.peer.request-timeout",
  ) {
    this.link = new ReconnectingLink(
      { world, node, hosts: [peer], port, trafficClass, bytesOf: wireBytesOf, reconnectBackoffNs, requests: { timeoutNs: requestTimeoutNs, answerOf, timeoutMark, timeoutTrace: "kafka.request-timeout" } },
      // The owner's own methods, no wrapper: every replicated batch passes through onMessage.
      listener,
    );
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  connect(): void {
    this.link.connect();
  }

  /** Sends if the link is open; false otherwise (the caller retries when it reopens). `cpuDelayNs`: see Endpoint.send. */
  send(message: KafkaMessage, cpuDelayNs = 0): boolean {
    return this.link.send(message, cpuDelayNs);
  }

  /** Sends a request whose answer is awaited under the link's request timeout; false if the link is down. */
  request(message: KafkaMessage & { correlationId: number }, cpuDelayNs = 0): boolean {
    return this.link.request(message, message.correlationId, cpuDelayNs);
  }

  /** Stops for good (e.g. the follower now follows someone else). */
  close(): void {
    this.link.close();
  }
}
