/**
 * How a broker takes requests off its client connections and hands them to
 * its request handler threads: Kafka's SocketServer Processor, RequestChannel
 * and KafkaRequestHandlerPool.
 *
 * - One request per connection at a time. The processor mutes a connection
 *   when it takes a request off it and unmutes it once that request's
 *   response has been sent (or, with no response, once it was handled), so
 *   a connection's requests are handled in order and one by one: a producer's
 *   max.in.flight.requests.per.connection pipelines requests on the wire, not
 *   in the broker. Later requests wait in the connection (its socket buffer).
 * - Taken requests wait in the request queue, at most queued.max.requests;
 *   while it is full, no more are taken off connections.
 * - num.io.threads handler threads each handle one request at a time. A
 *   thread is held until the request's synchronous part is done: for a
 *   produce, until every append's write() has returned, which over the
 *   dirty-page limit means waiting for writeback (balance_dirty_pages). So a
 *   disk that cannot keep up fills the threads, then the queue, then the
 *   connections, then the producers' in-flight windows.
 * - CPU (cpu-costs.ts): a connection's processor thread (num.network.threads,
 *   dealt in turn) reads each request for readCostNs, one after another; a
 *   handler thread then spends handleCostNs before the request's effects
 *   happen. A thread is held from the moment it takes a request, so it also
 *   waits for a processor that is behind (a simplification: Kafka's handler
 *   would take another request meanwhile). Sending a response costs its
 *   processor nothing here.
 *
 * Sources: apache/kafka SocketServer.scala (Processor.processCompletedReceives
 * mutes the channel; processNewResponses / completedSends unmute it),
 * RequestChannel.scala (ArrayBlockingQueue of queued.max.requests),
 * KafkaRequestHandler.scala.
 */
import { assert } from "../../kernel/index.js";
import { RingQueue } from "../../kernel/index.js";
import type { Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { KafkaMessage } from "./protocol.js";

/** One request between being taken off its connection and its response. */
export class BrokerRequest {
  readonly endpoint: Endpoint;
  readonly message: KafkaMessage;
  /** When its processor thread has read it off the socket (it cannot be handled before). */
  readyAtNs = 0;
  private readonly channel: RequestChannel;
  private readonly connection: ConnectionState;
  private isThreadHeld = false;
  private isFinished = false;

  constructor(channel: RequestChannel, connection: ConnectionState, endpoint: Endpoint, message: KafkaMessage) {
    this.channel = channel;
    this.connection = connection;
    this.endpoint = endpoint;
    this.message = message;
  }

  /** Called by the channel when a handler thread starts on it. */
  holdThread(): void {
    assert(!this.isThreadHeld, "request handed to a second thread");
    this.isThreadHeld = true;
  }

  /** The handler thread is done with it (its writes returned); the response may still be pending. */
  releaseThread(): void {
    assert(this.isThreadHeld, "request released from a thread it was not on");
    this.isThreadHeld = false;
    this.channel.onThreadFree();
  }

  /** Its response went out, or it has none, or its connection is gone: the connection takes its next request. */
  finish(): void {
    assert(!this.isFinished, "request finished twice");
    this.isFinished = true;
    this.channel.onFinished(this.connection);
  }
}

/** A connection's side of the channel: muted while one of its requests is in progress. */
class ConnectionState {
  readonly endpoint: Endpoint;
  /** The processor (network thread) that serves this connection. */
  readonly processor: number;
  readonly waiting = new RingQueue<KafkaMessage>(4);
  /** The wire size of each waiting request, as it arrived. */
  readonly waitingBytes = new RingQueue<number>(4);
  isMuted = false;
  isClosed = false;
  /** Waiting in the channel's list of connections that have a request ready while the queue was full. */
  isBlockedOnQueue = false;

  constructor(endpoint: Endpoint, processor: number) {
    this.endpoint = endpoint;
    this.processor = processor;
  }
}

export interface RequestChannelOptions {
  node: WorldNode;
  threads: number;
  /** num.network.threads: connections are dealt to processors in turn as they send their first request. */
  processors: number;
  /** CPU a processor spends reading a request of `bytes` off its socket. */
  readCostNs: (bytes: number) => number;
  /** CPU a handler thread spends on the request before its effects (appends, answers) happen. */
  handleCostNs: (message: KafkaMessage) => number;
  queueCapacity: number;
  /** Handles a request on a handler thread; must call releaseThread() and finish() once each, now or later. */
  handle: (request: BrokerRequest) => void;
}

export class RequestChannel {
  private readonly node: WorldNode;
  private readonly threads: number;
  private readonly queueCapacity: number;
  private readonly handle: (request: BrokerRequest) => void;
  private readonly readCostNs: (bytes: number) => number;
  private readonly handleCostNs: (message: KafkaMessage) => number;
  /** When each processor thread is next free (it reads requests one after another). */
  private readonly processorFreeAtNs: number[];
  private processorNext = 0;
  /** CPU spent so far: by the handler threads together, and by each processor. */
  private handlerCpuNsTotal = 0;
  private readonly processorCpuNs: number[];
  /**
   * A handler thread's CPU time is over: the request takes effect. Whatever
   * it frees (a thread, a connection) is taken up at the end of this event,
   * once the handler has returned, rather than in an event of its own.
   */
  private readonly onHandleBound = (request: BrokerRequest): void => {
    this.isDraining = true;
    this.handle(request);
    this.isDraining = false;
    this.drain();
  };
  private readonly connections = new Map<Endpoint, ConnectionState>();
  private readonly queue = new RingQueue<BrokerRequest>(64);
  /** Connections with a request ready that the full queue could not take, in the order they were refused. */
  private readonly blocked = new RingQueue<ConnectionState>(8);
  private threadsBusy = 0;
  private isDraining = false;
  private isDrainScheduled = false;
  private readonly onDrainBound = (): void => {
    this.isDrainScheduled = false;
    this.drain();
  };

  constructor(options: RequestChannelOptions) {
    assert(options.threads >= 1 && options.queueCapacity >= 1, `request channel needs a thread and a queue slot, got ${options.threads} and ${options.queueCapacity}`);
    this.node = options.node;
    this.threads = options.threads;
    this.queueCapacity = options.queueCapacity;
    this.handle = options.handle;
    this.readCostNs = options.readCostNs;
    this.handleCostNs = options.handleCostNs;
    assert(options.processors >= 1, `request channel needs a processor, got ${options.processors}`);
    this.processorFreeAtNs = new Array<number>(options.processors).fill(0);
    this.processorCpuNs = new Array<number>(options.processors).fill(0);
  }

  /** Handler threads busy now (for tests and stats). */
  get busyThreads(): number {
    return this.threadsBusy;
  }

  /** CPU the handler threads have spent, together. */
  get handlerCpuNs(): number {
    return this.handlerCpuNsTotal;
  }

  /** CPU the busiest processor thread has spent. */
  get processorCpuNsMax(): number {
    return Math.max(...this.processorCpuNs);
  }

  /** Requests waiting for a thread. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** A request arrived on a connection. */
  receive(endpoint: Endpoint, message: KafkaMessage, bytes: number): void {
    let connection = this.connections.get(endpoint);
    if (connection === undefined) {
      connection = new ConnectionState(endpoint, this.processorNext);
      this.processorNext = (this.processorNext + 1) % this.processorFreeAtNs.length;
      this.connections.set(endpoint, connection);
    }
    connection.waiting.push(message);
    connection.waitingBytes.push(bytes);
    this.take(connection);
    this.drain();
  }

  /** The connection closed: requests not yet taken off it are gone with it (those taken still run). */
  close(endpoint: Endpoint): void {
    const connection = this.connections.get(endpoint);
    if (connection === undefined) return;
    connection.isClosed = true;
    connection.waiting.clear();
    connection.waitingBytes.clear();
    this.connections.delete(endpoint);
  }

  onThreadFree(): void {
    assert(this.threadsBusy > 0, "a thread freed while none was busy");
    this.threadsBusy--;
    this.scheduleDrain();
  }

  onFinished(connection: ConnectionState): void {
    assert(connection.isMuted, "finish of a request on an unmuted connection");
    connection.isMuted = false;
    if (connection.isClosed) return;
    this.take(connection);
    this.scheduleDrain();
  }

  /**
   * A thread or connection came free in the middle of some handler's work
   * (an answer sent from the purgatory, a write that returned): the next
   * request starts in an event of its own at the same instant, never inside
   * the code that freed it, which may be iterating state the next request
   * changes. One event covers every release at that instant.
   */
  private scheduleDrain(): void {
    if (this.isDrainScheduled || this.isDraining) return;
    this.isDrainScheduled = true;
    this.node.after(0, this.onDrainBound);
  }

  /** Takes the connection's next request into the queue if it is not muted and the queue has room. */
  private take(connection: ConnectionState): void {
    if (connection.isMuted || connection.isClosed || connection.waiting.length === 0) return;
    if (this.queuedCount >= this.queueCapacity) {
      if (!connection.isBlockedOnQueue) {
        connection.isBlockedOnQueue = true;
        this.blocked.push(connection);
      }
      return;
    }
    connection.isMuted = true;
    const request = new BrokerRequest(this, connection, connection.endpoint, connection.waiting.shift()!);
    // The connection's processor reads it when it is free: its time is reserved now, in the order requests are taken.
    const now = this.node.now;
    const readNs = this.readCostNs(connection.waitingBytes.shift()!);
    this.processorCpuNs[connection.processor]! += readNs;
    const readyAtNs = Math.max(now, this.processorFreeAtNs[connection.processor]!) + readNs;
    this.processorFreeAtNs[connection.processor] = readyAtNs;
    request.readyAtNs = readyAtNs;
    this.queue.push(request);
  }

  /**
   * Gives queued requests to free threads, and refills the queue from
   * connections the full queue refused. A handler that finishes at once
   * re-enters here: the flag keeps that to one loop.
   */
  private drain(): void {
    if (this.isDraining) return;
    this.isDraining = true;
    for (;;) {
      while (this.blocked.length > 0 && this.queuedCount < this.queueCapacity) {
        const connection = this.blocked.shift()!;
        connection.isBlockedOnQueue = false;
        this.take(connection);
      }
      if (this.threadsBusy >= this.threads || this.queuedCount === 0) break;
      const request = this.queue.shift()!;
      this.threadsBusy++;
      request.holdThread();
      // The thread is held from now: while the processor finishes reading the request, then for its own CPU time.
      const handleNs = this.handleCostNs(request.message);
      this.handlerCpuNsTotal += handleNs;
      const delayNs = Math.max(0, request.readyAtNs - this.node.now) + handleNs;
      if (delayNs === 0) this.handle(request);
      else this.node.after(Math.round(delayNs), this.onHandleBound, request);
    }
    this.isDraining = false;
  }
}
