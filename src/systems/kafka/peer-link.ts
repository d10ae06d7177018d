/**
 * A broker's connection to one peer port that reconnects after a backoff
 * when it breaks (Kafka's NetworkClient with `reconnect.backoff.ms`). The
 * owner hears every message, and is told when the link opens and drops so it
 * can resend or fail what was in flight.
 *
 * Requests sent with `request` carry a deadline (the client's request
 * timeout: replica.socket.timeout.ms for replica fetchers, the heartbeat
 * channel's for broker heartbeats): when the oldest is not answered by then,
 * the link closes its connection and reconnects, as NetworkClient does on a
 * request timeout. This, not the socket, is how a broker notices a silent
 * peer: TCP keeps a connection across a partition (see world/connection.ts).
 */
import { RingQueue } from "../../kernel/index.js";
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { DeadlineTimer } from "./deadline-timer.js";
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
  /**
   * The requests awaiting an answer, oldest first: correlation ids and
   * deadlines. Answers come back in request order on one connection (Kafka
   * answers a connection's requests in order), so an answer is almost always
   * the oldest; rings, not a Map, because a Map rehashes (allocates) every
   * few set/delete pairs on this hot path.
   */
  private readonly awaitedIds = new RingQueue<number>(4);
  private readonly awaitedDeadlinesNs = new RingQueue<number>(4);
  private readonly timeouts: DeadlineTimer;

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    readonly peer: WorldNode,
    private readonly port: string,
    private readonly trafficClass: string,
    private readonly reconnectBackoffNs: number,
    private readonly listener: PeerLinkListener,
    /** How long a request may wait for its answer before the connection is given up; 0 waits for ever. */
    private readonly requestTimeoutNs = 0,
    /** The coverage mark hit when a request times out. */
    private readonly timeoutMark = "kafka.peer.request-timeout",
  ) {
    this.timeouts = new DeadlineTimer(node, () => this.onTimeoutCheck());
    this.handler = {
      onOpen: (endpoint) => {
        if (endpoint !== this.endpoint) return;
        this.isConnecting = false;
        this.listener.onOpen();
      },
      onData: (endpoint, payload) => {
        if (endpoint !== this.endpoint) return;
        const message = payload as KafkaMessage;
        if ("correlationId" in message) this.forget(message.correlationId);
        this.listener.onMessage(message);
      },
      onClose: (endpoint) => {
        if (endpoint !== this.endpoint) return;
        this.lose();
      },
    };
  }

  get isOpen(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  connect(): void {
    if (this.isClosed || this.isConnecting || this.endpoint !== null) return;
    this.isConnecting = true;
    this.endpoint = this.world.net.connect(this.node, this.peer, this.port, this.trafficClass, this.handler);
  }

  /** Sends if the link is open; false otherwise (the caller retries when it reopens). `cpuDelayNs`: see Endpoint.send. */
  send(message: KafkaMessage, cpuDelayNs = 0): boolean {
    if (this.endpoint === null || !this.endpoint.isOpen) return false;
    return this.endpoint.send(message, wireBytesOf(message), cpuDelayNs);
  }

  /** Sends a request whose answer is awaited under the link's request timeout; false if the link is down. */
  request(message: KafkaMessage & { correlationId: number }, cpuDelayNs = 0): boolean {
    if (!this.send(message, cpuDelayNs)) return false;
    if (this.requestTimeoutNs > 0) {
      const deadlineNs = this.node.now + this.requestTimeoutNs;
      this.awaitedIds.push(message.correlationId);
      this.awaitedDeadlinesNs.push(deadlineNs);
      this.timeouts.armBy(deadlineNs);
    }
    return true;
  }

  /** Stops for good (e.g. the follower now follows someone else). */
  close(): void {
    this.isClosed = true;
    this.endpoint?.close();
    this.endpoint = null;
    this.clearAwaited();
    this.timeouts.disarm();
  }

  private forget(correlationId: number): void {
    const ids = this.awaitedIds;
    for (let index = 0; index < ids.length; index++) {
      if (ids.at(index) !== correlationId) continue;
      if (index === 0) {
        ids.shift();
        this.awaitedDeadlinesNs.shift();
      } else {
        ids.removeAt(index);
        this.awaitedDeadlinesNs.removeAt(index);
      }
      return;
    }
  }

  private clearAwaited(): void {
    this.awaitedIds.clear();
    this.awaitedDeadlinesNs.clear();
  }

  /** The oldest request times out at its deadline; if it was answered meanwhile, wait for the next one's. */
  private onTimeoutCheck(): void {
    if (!this.awaitedIds.isEmpty) {
      const deadlineNs = this.awaitedDeadlinesNs.peek()!;
      if (deadlineNs > this.node.now) return this.timeouts.armBy(deadlineNs);
      this.world.kernel.marks.hit(this.timeoutMark);
      this.world.kernel.trace.record("kafka.request-timeout", `${this.node.name}->${this.peer.name}`, this.awaitedIds.length);
      // An abortive close: the peer hears of it (if the path lets it), and nothing more arrives on this socket.
      this.endpoint?.close();
      return this.lose();
    }
  }

  private lose(): void {
    this.endpoint = null;
    this.isConnecting = false;
    this.clearAwaited();
    this.timeouts.disarm();
    this.listener.onDown();
    if (!this.isClosed) this.node.after(this.reconnectBackoffNs, this.onRetryBound);
  }
}
