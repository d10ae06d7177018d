/**
 * A process's connection to a peer that reconnects when it breaks: the one
 * link every system's servers and client libraries build on (Kafka's
 * inter-broker links, producer and consumer connections; Erlang
 * distribution between RabbitMQ nodes; an AMQP client's connection with
 * automatic recovery).
 *
 * How a link notices a silent peer is part of it, because the socket will
 * not tell (TCP keeps a connection across a partition, see connection.ts):
 * - request deadlines: a request unanswered by its deadline closes the
 *   connection (NetworkClient on request.timeout.ms), failing everything in
 *   flight with it;
 * - ticks: a tick is sent when nothing else was, and the peer is declared
 *   gone after so many silent intervals (Erlang's net_ticktime, AMQP
 *   heartbeats; tick-monitor.ts).
 *
 * After a loss it reconnects after a backoff (fixed, or doubling up to a
 * maximum), to the next of its hosts (one host: always that one); before it
 * has ever opened it may retry faster (an application's initial connect
 * loop). A client's link reconnects only on demand, when it has something
 * to send. Deadlines share one timer (broker loops) or take one per request
 * (the consumer's NetworkClient as modelled); a write stuck in a socket the
 * peer stopped acknowledging times out too. Events of an endpoint it has
 * given up are ignored.
 */
import { assert, RingQueue, type EventHandle } from "../kernel/index.js";
import type { ConnectionHandler, Endpoint } from "./connection.js";
import { DeadlineTimer } from "./deadline-timer.js";
import type { WorldNode } from "./node.js";
import { TickMonitor } from "./tick-monitor.js";
import type { World } from "./world.js";

export interface ReconnectingLinkListener<Message> {
  onOpen(peer: WorldNode): void;
  onMessage(message: Message): void;
  /**
   * The connection is gone; `wasOpen`: it had opened (not a refused or
   * timed-out attempt); `timedOutId`: the request whose deadline closed it;
   * `lostIds`: the requests still awaited, oldest first.
   */
  onDown(wasOpen: boolean, timedOutId: number | null, lostIds: readonly number[]): void;
}

/** Liveness by ticks (tick-monitor.ts). */
export interface LinkTicks<Message> {
  intervalNs: number;
  silentIntervalsMax: number;
  tick: Message;
  /** Ticks are counted as reads but not passed on. */
  isTick(message: Message): boolean;
  /** The coverage mark, and the trace record if any, when the peer goes silent. */
  silentMark: string;
  silentTrace?: string;
}

/** Liveness by request deadlines. */
export interface LinkRequests<Message> {
  timeoutNs: number;
  /** The request id a message answers (undefined: it answers none); without it the owner calls `forget` as it takes each answer. */
  answerOf?(message: Message): number | undefined;
  /** The coverage mark, and the trace record if any, when a request (or an unsent write, see watchUnsent) times out. */
  timeoutMark: string;
  timeoutTrace?: string;
  /**
   * "shared" (default): one timer wakes at the oldest deadline (Kafka's
   * broker-side loops). "per-request": a timer per request, cancelled by its
   * answer (the consumer's NetworkClient as mqsim models it).
   */
  timers?: "shared" | "per-request";
  /** Only answers to awaited requests reach the owner (a late or unknown answer is dropped). */
  isAnswersOnly?: boolean;
}

export interface ReconnectingLinkOptions<Message> {
  world: World;
  node: WorldNode;
  /** The nodes it connects to, in turn: the next one after each loss. */
  hosts: readonly WorldNode[];
  port: string;
  trafficClass: string;
  bytesOf(message: Message): number;
  reconnectBackoffNs: number;
  /** With it, the backoff doubles with each consecutive failure up to this (reconnect.backoff.max.ms, without its jitter). */
  reconnectBackoffMaxNs?: number;
  /** Retry interval until the link has first opened (default reconnectBackoffNs). */
  firstConnectRetryNs?: number;
  /**
   * "scheduled" (default): it reconnects by itself after the backoff.
   * "on-demand": it connects only when asked (ensureConnecting), and not
   * before the backoff has passed (a client's NetworkClient).
   */
  reconnect?: "scheduled" | "on-demand";
  requests?: LinkRequests<Message>;
  ticks?: LinkTicks<Message>;
}

export class ReconnectingLink<Message> {
  private endpoint: Endpoint | null = null;
  private isConnecting = false;
  private isOpened = false;
  private hasOpened = false;
  private isClosed = false;
  private hostIndex = 0;
  /** Losses since the link last opened, for the exponential backoff. */
  private failures = 0;
  /** Per-request timers by request id (timers "per-request"); Map order is send order. */
  private readonly requestTimers = new Map<number, EventHandle>();
  private readonly onRequestTimeoutBound = (id: number): void => this.onRequestTimeout(id);
  /** On demand: no connection before this time (the backoff after a loss). */
  private reconnectAtNs = 0;
  /** When a write that has not left the socket must have left it (watchUnsent); null while nothing waits. */
  private unsentDeadlineNs: number | null = null;
  private readonly handler: ConnectionHandler;
  private readonly onRetryBound = (): void => this.connect();
  /**
   * The requests awaiting an answer, oldest first: ids and deadlines.
   * Answers come back in request order on one connection, so an answer is
   * almost always the oldest; rings, not a Map, because a Map rehashes
   * (allocates) every few set/delete pairs on this hot path.
   */
  private readonly awaitedIds = new RingQueue<number>(4);
  private readonly awaitedDeadlinesNs = new RingQueue<number>(4);
  private readonly timeouts: DeadlineTimer;
  private readonly ticks: TickMonitor | null;

  constructor(
    private readonly options: ReconnectingLinkOptions<Message>,
    private readonly listener: ReconnectingLinkListener<Message>,
  ) {
    const { node, ticks } = options;
    this.timeouts = new DeadlineTimer(node, () => this.onTimeoutCheck());
    this.ticks = ticks === undefined ? null : new TickMonitor(node, ticks.intervalNs, ticks.silentIntervalsMax, { sendTick: () => this.send(ticks.tick), onSilent: () => this.onSilent(ticks) });
    this.handler = {
      onOpen: (endpoint) => this.onOpen(endpoint),
      onData: (endpoint, payload) => this.onData(endpoint, payload as Message),
      onClose: (endpoint) => {
        if (endpoint === this.endpoint) this.lose();
      },
    };
  }

  get isOpen(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  /** Where the link is: no connection, one being made, or one its owner heard open (it may have broken since, unnoticed yet). */
  get state(): "idle" | "connecting" | "open" {
    return this.isOpened ? "open" : this.endpoint !== null ? "connecting" : "idle";
  }

  /** Open as its owner saw it open (onOpen heard) and still open. */
  get isEstablished(): boolean {
    return this.isOpened && this.endpoint !== null && this.endpoint.isOpen;
  }

  /** Payload bytes written that wait for the peer's acknowledgement (what fills a socket's send buffer). */
  get bufferedBytes(): number {
    return this.endpoint?.bufferedBytes ?? 0;
  }

  /** The node of the open connection (null while none is open). */
  get openPeer(): WorldNode | null {
    return this.isOpened ? this.endpoint!.peerNode : null;
  }

  connect(): void {
    if (this.isClosed || this.isConnecting || this.endpoint !== null) return;
    this.isConnecting = true;
    const hosts = this.options.hosts;
    this.endpoint = this.options.world.net.connect(this.options.node, hosts[this.hostIndex % hosts.length]!, this.options.port, this.options.trafficClass, this.handler);
  }

  /**
   * On demand: makes sure a connection exists or is being made. Returns the
   * time to ask again when still backing off from the last loss, else now.
   */
  ensureConnecting(): number {
    const now = this.options.node.now;
    if (this.endpoint !== null || this.isConnecting) return now;
    if (now < this.reconnectAtNs) return this.reconnectAtNs;
    this.connect();
    return now;
  }

  /** Sends if the link is open; false otherwise (the caller retries when it reopens). `cpuDelayNs`: see Endpoint.send. */
  send(message: Message, cpuDelayNs = 0): boolean {
    if (this.endpoint === null || !this.endpoint.isOpen) return false;
    const isSent = this.endpoint.send(message, this.options.bytesOf(message), cpuDelayNs);
    if (isSent) this.ticks?.noteWrite();
    return isSent;
  }

  /** Sends a request whose answer is awaited under the link's request timeout; false if the link is down. */
  request(message: Message, id: number, cpuDelayNs = 0): boolean {
    if (!this.send(message, cpuDelayNs)) return false;
    const timeoutNs = this.options.requests?.timeoutNs ?? 0;
    if (this.options.requests?.timers === "per-request") {
      assert(!this.requestTimers.has(id), `${this.options.node.name}: request id ${id} awaited twice`);
      this.requestTimers.set(id, this.options.node.after(timeoutNs, this.onRequestTimeoutBound, id));
    } else if (timeoutNs > 0) {
      const deadlineNs = this.options.node.now + timeoutNs;
      this.awaitedIds.push(id);
      this.awaitedDeadlinesNs.push(deadlineNs);
      this.timeouts.armBy(deadlineNs);
    }
    return true;
  }

  /** A write went into a socket whose peer is not acknowledging: it must leave within the request timeout, or the connection is given up. */
  watchUnsent(): void {
    if (this.unsentDeadlineNs !== null || this.endpoint === null || this.endpoint.bufferedBytes === 0) return;
    this.unsentDeadlineNs = this.options.node.now + (this.options.requests?.timeoutNs ?? 0);
    this.timeouts.armBy(this.unsentDeadlineNs);
  }

  /** A request's answer was taken by the owner (links without `answerOf`); false when it was not awaited. */
  forget(id: number): boolean {
    const timer = this.requestTimers.get(id);
    if (timer !== undefined) {
      this.requestTimers.delete(id);
      this.options.node.cancel(timer);
      return true;
    }
    const ids = this.awaitedIds;
    for (let index = 0; index < ids.length; index++) {
      if (ids.at(index) !== id) continue;
      if (index === 0) {
        ids.shift();
        this.awaitedDeadlinesNs.shift();
      } else {
        ids.removeAt(index);
        this.awaitedDeadlinesNs.removeAt(index);
      }
      return true;
    }
    return false;
  }

  /** Something arrived from the peer by another way (Erlang distribution: on the peer's own link to this node). */
  noteRead(): void {
    this.ticks?.noteRead();
  }

  /** Stops for good. */
  close(): void {
    this.isClosed = true;
    this.ticks?.stop();
    this.endpoint?.close();
    this.endpoint = null;
    this.clearAwaited();
    this.timeouts.disarm();
  }

  private onOpen(endpoint: Endpoint): void {
    if (endpoint !== this.endpoint) return;
    this.isConnecting = false;
    this.isOpened = true;
    this.failures = 0;
    this.ticks?.start();
    this.listener.onOpen(endpoint.peerNode);
  }

  private onData(endpoint: Endpoint, message: Message): void {
    if (endpoint !== this.endpoint) return;
    const ticks = this.options.ticks;
    if (ticks !== undefined) {
      this.ticks!.noteRead();
      if (ticks.isTick(message)) return;
    }
    const answered = this.options.requests?.answerOf?.(message);
    const isAwaited = answered !== undefined && this.forget(answered);
    if (this.options.requests?.isAnswersOnly === true && !isAwaited) return;
    this.listener.onMessage(message);
  }

  /** The requests still awaited, oldest first, now forgotten. */
  private clearAwaited(): number[] {
    const lost: number[] = [];
    for (const [id, timer] of this.requestTimers) {
      lost.push(id);
      this.options.node.cancel(timer);
    }
    this.requestTimers.clear();
    for (let index = 0; index < this.awaitedIds.length; index++) lost.push(this.awaitedIds.at(index)!);
    this.awaitedIds.clear();
    this.awaitedDeadlinesNs.clear();
    return lost;
  }

  /** A request's own timer ran out (timers "per-request"). */
  private onRequestTimeout(id: number): void {
    const requests = this.options.requests;
    // The timer stays in the map (its handle spent): the request counts among the lost, in its place.
    if (requests === undefined || !this.requestTimers.has(id)) return;
    this.timedOut(requests, id);
  }

  /** The oldest request times out at its deadline; if it was answered meanwhile, wait for the next one's. */
  private onTimeoutCheck(): void {
    const requests = this.options.requests;
    if (requests === undefined) return;
    if (this.unsentDeadlineNs !== null) {
      if (this.endpoint === null || this.endpoint.bufferedBytes === 0) {
        this.unsentDeadlineNs = null;
      } else if (this.unsentDeadlineNs <= this.options.node.now) {
        this.timedOut(requests, null);
        return;
      } else {
        this.timeouts.armBy(this.unsentDeadlineNs);
      }
    }
    if (this.awaitedIds.isEmpty) return;
    const deadlineNs = this.awaitedDeadlinesNs.peek()!;
    if (deadlineNs > this.options.node.now) return this.timeouts.armBy(deadlineNs);
    this.timedOut(requests, this.awaitedIds.peek()!);
  }

  /** A request (or an unsent write, id null) ran out of time: the connection is given up, as NetworkClient does. */
  private timedOut(requests: LinkRequests<Message>, id: number | null): void {
    this.options.world.kernel.marks.hit(requests.timeoutMark);
    if (requests.timeoutTrace !== undefined) this.options.world.kernel.trace.record(requests.timeoutTrace, this.linkName(), this.awaitedIds.length);
    // An abortive close: the peer hears of it (if the path lets it), and nothing more arrives on this socket.
    this.endpoint?.close();
    this.lose(id);
  }

  /** Nothing came from the peer for too long: it is gone; the connection is dropped and tried again. */
  private onSilent(ticks: LinkTicks<Message>): void {
    this.options.world.kernel.marks.hit(ticks.silentMark);
    if (ticks.silentTrace !== undefined) this.options.world.kernel.trace.record(ticks.silentTrace, this.linkName());
    this.endpoint?.close();
    this.lose();
  }

  /** How long after a loss to reconnect: the first-connect retry, the fixed backoff, or the doubling one. */
  private backoffNs(): number {
    const { reconnectBackoffNs, reconnectBackoffMaxNs, firstConnectRetryNs } = this.options;
    if (!this.hasOpened && firstConnectRetryNs !== undefined) return firstConnectRetryNs;
    if (reconnectBackoffMaxNs === undefined) return reconnectBackoffNs;
    return Math.min(reconnectBackoffNs * 2 ** Math.min(this.failures - 1, 30), reconnectBackoffMaxNs);
  }

  /** "node->host" for trace records, the host being the one it connects to now. */
  private linkName(): string {
    const hosts = this.options.hosts;
    return `${this.options.node.name}->${hosts[this.hostIndex % hosts.length]!.name}`;
  }

  private lose(timedOutId: number | null = null): void {
    const wasOpen = this.isOpened;
    this.endpoint = null;
    this.isConnecting = false;
    this.isOpened = false;
    const lostIds = this.clearAwaited();
    this.unsentDeadlineNs = null;
    this.timeouts.disarm();
    this.ticks?.stop();
    this.hostIndex++;
    if (wasOpen) this.hasOpened = true;
    this.failures++;
    const delayNs = this.backoffNs();
    const isOnDemand = this.options.reconnect === "on-demand";
    if (isOnDemand) this.reconnectAtNs = this.options.node.now + delayNs;
    this.listener.onDown(wasOpen, timedOutId, lostIds);
    if (this.isClosed || isOnDemand) return;
    this.options.node.after(delayNs, this.onRetryBound);
  }
}
