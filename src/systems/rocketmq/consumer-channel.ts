/**
 * A consumer's connection to one broker node, as the remoting client
 * (NettyRemotingClient) keeps it: opened on the first request, requests and
 * one-way messages written in order once it is open, every request with its
 * own deadline, answers matched by request id (opaque), and the broker's
 * own requests (NOTIFY_CONSUMER_IDS_CHANGED) passed up. (The producer's
 * broker-channels.ts is the same connection for answered requests whose
 * deadlines all close it; a consumer also needs one-way offset updates,
 * pulls whose timeout leaves the connection open, the broker's notices and
 * the connection's opening.)
 *
 * Deadlines differ by call, so the channel keeps them itself rather than the
 * link's single request timeout:
 * - a synchronous call (invokeSync: heartbeats, consumer lists, offset
 *   queries) that times out closes the connection (clientCloseSocketIfTimeout,
 *   true by default): everything else in flight on it fails, and the next
 *   request connects again;
 * - an asynchronous one (invokeAsync: a pull, whose deadline is 30 s) only
 *   fails that request: the connection stays.
 * A lost connection fails every request in flight and drops unwritten
 * one-way messages.
 *
 * Sources (apache/rocketmq): remoting/src/main/java/org/apache/rocketmq/
 * remoting/netty/NettyRemotingClient.java (invokeSync closes the channel on
 * a timeout, getAndCreateChannel), NettyRemotingAbstract.java
 * (scanResponseTable fails a timed-out async request), NettySystemConfig.java
 * (clientCloseSocketIfTimeout).
 */
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import type { EventHandle } from "../../kernel/index.js";
import { answerIdOf, brokerBytesOf, BROKER_PORT, CLIENT_TRAFFIC, type BrokerMessage, type BrokerRequest, type BrokerResponse, type NotifyConsumerIdsChanged, type UpdateConsumerOffset } from "./broker-protocol.js";

/** Requests that await an answer (every request but the one-way UPDATE_CONSUMER_OFFSET). */
export type AnsweredRequest = Exclude<BrokerRequest, UpdateConsumerOffset>;

export interface ConsumerChannelListener<Context> {
  /** The connection opened (the client's onChannelActive). */
  onOpen(brokerAddr: string): void;
  onAnswer(request: AnsweredRequest, answer: BrokerResponse, context: Context): void;
  /** No answer: the deadline passed or the connection was lost or could not be made. */
  onFailure(request: AnsweredRequest, context: Context): void;
  onNotify(message: NotifyConsumerIdsChanged): void;
  /** A request or one-way message went into the socket. */
  onWritten(message: BrokerRequest, context: Context, brokerAddr: string): void;
}

interface Pending<Context> {
  request: AnsweredRequest;
  context: Context;
  timer: EventHandle;
  closesOnTimeout: boolean;
}

interface Unsent<Context> {
  message: BrokerRequest;
  context: Context;
}

export class ConsumerChannel<Context> {
  private link: ReconnectingLink<BrokerMessage>;
  private readonly pending = new Map<number, Pending<Context>>();
  /** Written once the connection opens (the remoting client connects before it writes). */
  private unsent: Unsent<Context>[] = [];
  private readonly onTimeoutBound = (requestId: number): void => this.onTimeout(requestId);

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    readonly brokerAddr: string,
    private readonly listener: ConsumerChannelListener<Context>,
  ) {
    this.link = this.newLink();
  }

  /** A request awaiting its answer for `timeoutNs`; a timeout closes the connection if `closesOnTimeout` (invokeSync). */
  request(request: AnsweredRequest, context: Context, timeoutNs: number, closesOnTimeout: boolean): void {
    const timer = this.node.after(timeoutNs, this.onTimeoutBound, request.requestId);
    this.pending.set(request.requestId, { request, context, timer, closesOnTimeout });
    this.write(request, context);
  }

  /** A one-way message (invokeOneway): written when the connection is open, lost with it. */
  oneway(message: UpdateConsumerOffset, context: Context): void {
    this.write(message, context);
  }

  private newLink(): ReconnectingLink<BrokerMessage> {
    return new ReconnectingLink<BrokerMessage>(
      {
        world: this.world,
        node: this.node,
        hosts: [this.world.node(this.brokerAddr)],
        port: BROKER_PORT,
        trafficClass: CLIENT_TRAFFIC,
        bytesOf: brokerBytesOf,
        reconnectBackoffNs: 0,
        reconnect: "on-demand",
      },
      {
        onOpen: () => this.onOpen(),
        onMessage: (message) => this.onMessage(message),
        onDown: () => this.failAll(),
      },
    );
  }

  private write(message: BrokerRequest, context: Context): void {
    if (this.link.isEstablished && this.link.send(message)) {
      this.listener.onWritten(message, context, this.brokerAddr);
      return;
    }
    this.unsent.push({ message, context });
    this.link.ensureConnecting();
  }

  private onOpen(): void {
    const unsent = this.unsent;
    this.unsent = [];
    for (const { message, context } of unsent) {
      // A request that timed out while the connection was being made is not written.
      if (message.kind !== "UPDATE_CONSUMER_OFFSET" && !this.pending.has(message.requestId)) continue;
      this.write(message, context);
    }
    this.listener.onOpen(this.brokerAddr);
  }

  private onMessage(message: BrokerMessage): void {
    if (message.kind === "NOTIFY_CONSUMER_IDS_CHANGED") return this.listener.onNotify(message);
    const requestId = answerIdOf(message);
    const pending = requestId === undefined ? undefined : this.pending.get(requestId);
    // A late answer (its request already failed) is dropped, as the response table no longer has it.
    if (pending === undefined) return;
    this.pending.delete(requestId!);
    this.node.cancel(pending.timer);
    this.listener.onAnswer(pending.request, message as BrokerResponse, pending.context);
  }

  private onTimeout(requestId: number): void {
    const pending = this.pending.get(requestId);
    if (pending === undefined) return;
    this.world.kernel.marks.hit(pending.closesOnTimeout ? "rocketmq.client.broker-sync-timeout" : "rocketmq.client.broker-async-timeout");
    if (!pending.closesOnTimeout) {
      this.pending.delete(requestId);
      this.listener.onFailure(pending.request, pending.context);
      return;
    }
    // closeChannel: the socket goes (the broker hears a reset), and with it every other request on it.
    const old = this.link;
    this.link = this.newLink();
    old.close();
    this.failAll();
  }

  /** Fails every awaited request, in request order, and drops what was never written. */
  private failAll(): void {
    this.unsent = [];
    const failed = [...this.pending.values()];
    this.pending.clear();
    for (const pending of failed) {
      this.node.cancel(pending.timer);
      this.listener.onFailure(pending.request, pending.context);
    }
  }
}
