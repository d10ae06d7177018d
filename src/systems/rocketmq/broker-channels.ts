/**
 * A client's connections to brokers, as NettyRemotingClient keeps them: one
 * per broker node, made when a request needs it (no backoff), each request
 * with its own deadline (invokeSync's timeoutMillis, which a synchronous
 * send sets to what is left of sendMsgTimeout).
 *
 * Sources (apache/rocketmq, 5.x):
 * - remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyRemotingClient.java:
 *   getAndCreateChannel connects on demand; invokeSync fails with
 *   RemotingConnectException when the channel does not open, and with
 *   RemotingTimeoutException at its deadline, after which it closes the
 *   channel (clientCloseSocketIfTimeout, true by default; it skips the
 *   close only when a slow connect left under 100 ms, not modelled).
 * - remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyRemotingAbstract.java:
 *   failFast: a channel that closes fails at once every request awaiting an
 *   answer on it.
 *
 * The link (reconnecting-link.ts) carries the bytes; the deadlines are kept
 * here, because each request has its own. A link cannot drop its
 * connection and stay usable, so a deadline that closes the channel
 * replaces the link with a fresh one (the old one's late events are
 * ignored by it).
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { answerIdOf, BROKER_PORT, brokerBytesOf, CLIENT_TRAFFIC, type BrokerMessage, type BrokerRequest, type BrokerResponse } from "./broker-protocol.js";

/** Requests that are answered (all but the one-way UPDATE_CONSUMER_OFFSET). */
export type AnsweredBrokerRequest = Extract<BrokerRequest, { requestId: number }>;

/**
 * How a request failed: its deadline passed (RemotingTimeoutException), its
 * connection closed after it was written (failFast), or the connection it
 * waited for never opened (RemotingConnectException).
 */
export type BrokerFailure = "TIMEOUT" | "CONNECTION_LOST" | "CONNECT_FAILED";

export interface BrokerWaiter {
  onBrokerAnswer(response: BrokerResponse): void;
  /** `wasWritten`: the request had gone into a connection, so the broker may have acted on it. */
  onBrokerFailure(failure: BrokerFailure, wasWritten: boolean): void;
}

interface BrokerChannel {
  peer: WorldNode;
  link: ReconnectingLink<BrokerMessage>;
  /** Requests waiting for the connection to open, in request order. */
  unsent: Pending[];
}

interface Pending {
  request: AnsweredBrokerRequest;
  waiter: BrokerWaiter;
  channel: BrokerChannel;
  isWritten: boolean;
  deadline: EventHandle;
}

export interface BrokerChannelsOptions {
  world: World;
  node: WorldNode;
  /** The coverage mark of a deadline that closes a channel. */
  timeoutMark: string;
}

export class BrokerChannels {
  private readonly channels = new Map<string, BrokerChannel>();
  /** Requests awaiting an answer or a connection, by request id (Map order: request order). */
  private readonly pending = new Map<number, Pending>();
  private requestIdNext = 1;
  private readonly onDeadlineBound = (pending: unknown): void => this.onDeadline(pending as Pending);

  constructor(private readonly options: BrokerChannelsOptions) {}

  /** A fresh request id (the remoting protocol's opaque). */
  nextRequestId(): number {
    return this.requestIdNext++;
  }

  /** Requests awaiting an answer or a connection. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends `request` to `brokerNode` (connecting if needed); the waiter hears its answer or its failure by `deadlineNs`. */
  request(brokerNode: string, request: AnsweredBrokerRequest, deadlineNs: number, waiter: BrokerWaiter): void {
    const channel = this.channelTo(brokerNode);
    const pending: Pending = { request, waiter, channel, isWritten: false, deadline: NO_EVENT };
    this.pending.set(request.requestId, pending);
    pending.deadline = this.options.node.at(deadlineNs, this.onDeadlineBound, pending);
    if (channel.link.isEstablished) return this.write(pending);
    channel.unsent.push(pending);
    channel.link.ensureConnecting();
  }

  private channelTo(brokerNode: string): BrokerChannel {
    let channel = this.channels.get(brokerNode);
    if (channel === undefined) {
      channel = { peer: this.options.world.node(brokerNode), link: null!, unsent: [] };
      channel.link = this.linkFor(channel);
      this.channels.set(brokerNode, channel);
    }
    return channel;
  }

  private linkFor(channel: BrokerChannel): ReconnectingLink<BrokerMessage> {
    const { world, node } = this.options;
    return new ReconnectingLink<BrokerMessage>(
      { world, node, hosts: [channel.peer], port: BROKER_PORT, trafficClass: CLIENT_TRAFFIC, bytesOf: brokerBytesOf, reconnectBackoffNs: 0, reconnect: "on-demand" },
      {
        onOpen: () => this.flush(channel),
        onMessage: (message) => this.onMessage(message),
        onDown: (wasOpen) => this.onDown(channel, wasOpen),
      },
    );
  }

  private write(pending: Pending): void {
    pending.isWritten = pending.channel.link.send(pending.request);
    if (!pending.isWritten) this.fail(pending, "CONNECTION_LOST");
  }

  private flush(channel: BrokerChannel): void {
    const unsent = channel.unsent.splice(0);
    for (const pending of unsent) this.write(pending);
  }

  private onMessage(message: BrokerMessage): void {
    const id = answerIdOf(message);
    const pending = id === undefined ? undefined : this.pending.get(id);
    if (pending === undefined) return;
    this.settle(pending);
    pending.waiter.onBrokerAnswer(message as BrokerResponse);
  }

  /** The connection closed or never opened: everything on it fails now (failFast). */
  private onDown(channel: BrokerChannel, wasOpen: boolean): void {
    channel.unsent.length = 0;
    const failed = this.pendingOn(channel);
    for (const pending of failed) this.settle(pending);
    for (const pending of failed) pending.waiter.onBrokerFailure(pending.isWritten || wasOpen ? "CONNECTION_LOST" : "CONNECT_FAILED", pending.isWritten);
  }

  /**
   * A request's deadline: a written one closes its channel, failing the
   * others on it; one still waiting for the connection just gives up (the
   * connect goes on, as getAndCreateChannel's does).
   */
  private onDeadline(pending: Pending): void {
    if (this.pending.get(pending.request.requestId) !== pending) return;
    const channel = pending.channel;
    if (!pending.isWritten) {
      const at = channel.unsent.indexOf(pending);
      if (at >= 0) channel.unsent.splice(at, 1);
      this.settle(pending);
      return pending.waiter.onBrokerFailure("TIMEOUT", false);
    }
    this.options.world.kernel.marks.hit(this.options.timeoutMark);
    this.settle(pending);
    const others = this.pendingOn(channel);
    for (const other of others) this.settle(other);
    channel.link.close();
    channel.unsent.length = 0;
    channel.link = this.linkFor(channel);
    pending.waiter.onBrokerFailure("TIMEOUT", true);
    for (const other of others) other.waiter.onBrokerFailure("CONNECTION_LOST", other.isWritten);
  }

  private fail(pending: Pending, failure: BrokerFailure): void {
    this.settle(pending);
    pending.waiter.onBrokerFailure(failure, pending.isWritten);
  }

  private settle(pending: Pending): void {
    this.pending.delete(pending.request.requestId);
    this.options.node.cancel(pending.deadline);
  }

  /** The requests of `channel`, in request order (a few: one per sender thread and the heartbeat). */
  private pendingOn(channel: BrokerChannel): Pending[] {
    const found: Pending[] = [];
    for (const pending of this.pending.values()) if (pending.channel === channel) found.push(pending);
    return found;
  }
}
