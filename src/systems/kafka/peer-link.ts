/**
 * A client's connection to one peer port that reconnects after a backoff
 * when it breaks (Kafka's NetworkClient with `reconnect.backoff.ms`). The
 * owner hears every message, and is told when the link opens and drops so it
 * can resend or fail what was in flight.
 */
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { wireBytesOf, type KafkaMessage } from "./protocol.js";

export interface PeerLinkListener {
  onMessage(message: KafkaMessage): void;
  onOpen(): void;
  onDown(): void;
}

export class PeerLink {
  private endpoint: Endpoint | null = null;
  private isConnecting = false;
  private isClosed = false;
  private readonly handler: ConnectionHandler;
  private readonly onRetryBound = (): void => this.connect();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    readonly peer: WorldNode,
    private readonly port: string,
    private readonly trafficClass: string,
    private readonly reconnectBackoffNs: number,
    private readonly listener: PeerLinkListener,
  ) {
    this.handler = {
      onOpen: (endpoint) => {
        this.endpoint = endpoint;
        this.isConnecting = false;
        this.listener.onOpen();
      },
      onData: (_endpoint, payload) => this.listener.onMessage(payload as KafkaMessage),
      onClose: () => {
        this.endpoint = null;
        this.isConnecting = false;
        this.listener.onDown();
        if (!this.isClosed) this.node.after(this.reconnectBackoffNs, this.onRetryBound);
      },
    };
  }

  get isOpen(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  connect(): void {
    if (this.isClosed || this.isConnecting || this.endpoint !== null) return;
    this.isConnecting = true;
    this.world.net.connect(this.node, this.peer, this.port, this.trafficClass, this.handler);
  }

  /** Sends if the link is open; false otherwise (the caller retries when it reopens). */
  send(message: KafkaMessage): boolean {
    if (this.endpoint === null) return false;
    return this.endpoint.send(message, wireBytesOf(message));
  }

  /** Stops for good (e.g. the follower now follows someone else). */
  close(): void {
    this.isClosed = true;
    this.endpoint?.close();
    this.endpoint = null;
  }
}
