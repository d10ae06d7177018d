/** What a channel asks of its node: routing publishes and consumers to the nodes serving the queues. */
import type { PublishBody } from "./protocol.js";
import type { Channel } from "./channel.js";

export interface RouteResult {
  /** The node each routed copy went to (one entry per queue reached). */
  nodes: string[];
  /** Non-empty when some queue could not take it (its node is down): the publish fails. */
  failReason: string;
  /** The quorum queues among those it reached (their client resends on a leader change). */
  quorumQueues: string[];
}

export interface Router {
  readonly nodeName: string;
  /** The node's clock (credit flow keeps how long a channel was blocked). */
  readonly nowNs: number;
  /** A memory or disk alarm is on somewhere in the cluster: connections that publish are not read. */
  readonly isPublishBlocked: boolean;
  publish(channel: Channel, exchange: string, routingKey: string, body: PublishBody): RouteResult;
  /** Returns the node the consumer was sent to, or null (the client is told the queue is down). */
  consume(channel: Channel, queue: string, prefetch: number, autoAck: boolean): string | null;
  settle(channel: Channel, queue: string, node: string, deliveryTag: number): void;
  /** Sends a quorum queue's pending publish again to a member that is up; its node, or null when none is. */
  resendToQuorum(channel: Channel, queue: string, body: PublishBody, routedAtNs: number): string | null;
  cancel(channel: Channel, queue: string, node: string): void;
  /** A quorum queue's member that is up (its consumers follow the leader, wherever it is), or null for a classic queue or none up. */
  quorumMemberUp(queue: string): string | null;
}
