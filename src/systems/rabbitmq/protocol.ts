/**
 * What travels on the wire: AMQP 0-9-1 frames between a client and the node
 * it is connected to, and Erlang-distribution messages between nodes (queue
 * operations forwarded to a queue's home node, mirror replication, queue
 * records, Raft). Bytes are payload bytes; the network adds framing.
 */
import type { RaftMessage } from "../../raft/raft-messages.js";
import type { QueueRecord } from "./queue-record.js";
import type { QueueSegment } from "./queue-segment.js";
import type { GmPayload } from "./gm-ring.js";

/** AMQP method frame + header overhead per publish or delivery (method, content header, frame ends). */
export const AMQP_FRAME_BYTES = 60;
/** An Erlang-distribution message header (pids, refs, term framing). */
export const DIST_HEADER_BYTES = 80;

export interface PublishBody {
  /** The publisher's confirm sequence number of the first message (delivery tags count messages). */
  pubSeq: number;
  idFirst: number;
  count: number;
  bytesEach: number;
  persistent: boolean;
  /** Per-message `expiration` (ms), -1 for none. */
  expirationMs: number;
}

export type ClientFrame =
  | ({ kind: "publish"; exchange: string; routingKey: string } & PublishBody)
  | { kind: "tx.select" }
  | { kind: "tx.commit"; pubSeqEnd: number }
  | { kind: "confirm.select" }
  | { kind: "basic.consume"; queue: string; prefetch: number; autoAck: boolean }
  | { kind: "basic.ack"; deliveryTag: number }
  | { kind: "basic.cancel" }
  | { kind: "heartbeat" };

export type ServerFrame =
  | { kind: "basic.ack"; pubSeqFirst: number; count: number }
  | { kind: "basic.nack"; pubSeqFirst: number; count: number; reason: string }
  | { kind: "basic.reject-publish"; pubSeqFirst: number; count: number; reason: string }
  | { kind: "tx.commit-ok"; pubSeqEnd: number }
  | { kind: "consume-ok"; queue: string }
  | { kind: "consume-failed"; queue: string; reason: string }
  | { kind: "basic.deliver"; queue: string; deliveryTag: number; idFirst: number; count: number; bytesEach: number; redelivered: boolean }
  | { kind: "basic.cancel"; queue: string; reason: string }
  | { kind: "heartbeat" };

/** Identifies a channel on its node (one channel per client connection in mqsim). */
export interface ChannelRef {
  node: string;
  channel: number;
}

export type NodeMessage =
  | { kind: "enqueue"; queue: string; from: ChannelRef; body: PublishBody; expiresAtNs: number }
  | { kind: "enqueue-result"; queue: string; channel: number; pubSeqFirst: number; count: number; outcome: "ack" | "nack" | "reject" }
  /** A quorum member passed the publish on to its leader: the channel now waits on that node. */
  | { kind: "enqueue-forwarded"; queue: string; channel: number; pubSeqFirst: number; node: string }
  /** credit_flow's {bump_credit, …}: the queue process on `node` lets the channel send `credit` more messages. */
  | { kind: "credit-bump"; queue: string; channel: number; node: string; role: "master" | "mirror"; credit: number }
  | { kind: "consume"; queue: string; from: ChannelRef; prefetch: number; autoAck: boolean }
  | { kind: "consume-result"; queue: string; channel: number; error: string }
  /** A delivery to a consumer's channel; the channel drops a tag it already passed on (a new quorum leader resends what a consumer holds). */
  | { kind: "deliver"; queue: string; channel: number; deliveryTag: number; segment: QueueSegment }
  /** A quorum leader monitors a consumer's channel (erlang:monitor): the channel's node answers channel-down if it is gone. */
  | { kind: "monitor-channel"; queue: string; channel: number }
  | { kind: "channel-down"; queue: string; channel: number }
  /** A new quorum leader tells its consumers' channels (rabbit_fifo's leader_change): they send it what they have pending. */
  | { kind: "leader-change"; queue: string; channel: number }
  | { kind: "settle"; queue: string; from: ChannelRef; deliveryTag: number }
  | { kind: "cancel"; queue: string; from: ChannelRef }
  /**
   * GM's ring (gm-ring.ts): a broadcast of the master `origin` (one master
   * instance: `group`), passed from member to member around `ring` and back
   * to the master, then its acknowledgement the same way: carried by the
   * master's next broadcast (`ackUpTo`), or alone (`phase: "ack"`) when none
   * follows within GM's 25 ms broadcast timer.
   */
  | { kind: "gm"; queue: string; group: string; origin: string; ring: readonly string[]; gmSeq: number; phase: "msg" | "ack"; payload: GmPayload | null; ackUpTo: number }
  /**
   * The channel's own copy of a publish to a mirrored queue, sent to every
   * mirror beside the master (3.8–3.13: rabbit_classic_queue:deliver sends to
   * the master's and the mirrors' pids). See classic-mirror.ts onChannelCopy.
   */
  | { kind: "mirror-channel-copy"; queue: string; epoch: number; from: ChannelRef; body: PublishBody }
  | { kind: "mirror-publish-ok"; queue: string; epoch: number; seqEnd: number; isSync: boolean }
  /** One batch of a synchronisation (ha-sync-batch-size messages at most); the mirror acknowledges after the last. */
  | { kind: "mirror-sync"; queue: string; epoch: number; segments: QueueSegment[]; bytes: number; isLast: boolean }
  /** `isRunning`: the sender's RabbitMQ application is running (its tables are current, see broker.ts). */
  /** `isBooting`: the sender restarted and has not synced its tables from a running node yet. */
  | { kind: "records"; records: QueueRecord[]; upCount: number; isRunning: boolean; isBooting: boolean }
  /** The sender begins an orderly stop. */
  | { kind: "node-stopping" }
  /** The sender, running, saw this node go down and has met it again as the same incarnation (node-monitor.ts notePartitioned). */
  | { kind: "saw-you-down" }
  /** rabbit_alarm: the sender's memory or disk alarm went on or off (alarms are cluster-wide). */
  | { kind: "alarm"; resource: "memory" | "disk"; isOn: boolean }
  /** The distribution's keep-alive, sent when nothing else was (net_ticktime). */
  | { kind: "tick" }
  | { kind: "raft"; queue: string; message: RaftMessage<QuorumCommand>; bytes: number };

/**
 * What a quorum queue's Raft log holds (rabbit_fifo commands, rabbit-fifo.ts).
 * Each carries the leader's clock when proposed (`atNs`): TTL expiry is
 * judged by it, so every member drops the same messages.
 */
export type QuorumCommand =
  | { op: "enqueue"; from: ChannelRef; pubSeq: number; segment: QueueSegment; atNs: number }
  | { op: "settle"; consumer: ChannelRef; deliveryTag: number; atNs: number }
  | { op: "checkout"; consumer: ChannelRef; prefetch: number; autoAck: boolean; atNs: number }
  | { op: "cancel"; consumer: ChannelRef; atNs: number }
  /** The consumers whose channels were on `node` are gone (the leader's monitors fired): their messages return. */
  | { op: "down"; node: string; atNs: number }
  /** Only the time: messages past their TTL are dropped (the leader's expiry timer). */
  | { op: "expire"; atNs: number };

/** The node-to-node message kinds that replicate a queue (the rest forward, deliver or gossip). */
export const REPLICATION_KINDS: readonly NodeMessage["kind"][] = ["gm", "mirror-channel-copy", "mirror-publish-ok", "mirror-sync", "raft"];

export function clientFrameBytes(frame: ClientFrame): number {
  return frame.kind === "publish" ? AMQP_FRAME_BYTES * frame.count + frame.count * frame.bytesEach : AMQP_FRAME_BYTES;
}

export function serverFrameBytes(frame: ServerFrame): number {
  return frame.kind === "basic.deliver" ? AMQP_FRAME_BYTES * frame.count + frame.count * frame.bytesEach : AMQP_FRAME_BYTES;
}

export function nodeMessageBytes(message: NodeMessage): number {
  switch (message.kind) {
    case "enqueue":
    case "mirror-channel-copy":
      return DIST_HEADER_BYTES + message.body.count * (message.body.bytesEach + DIST_HEADER_BYTES / 4);
    case "deliver":
      return DIST_HEADER_BYTES + message.segment.count * (message.segment.bytesEach + DIST_HEADER_BYTES / 4);
    case "gm":
      return message.payload?.op === "publish" ? DIST_HEADER_BYTES + message.payload.segment.count * (message.payload.segment.bytesEach + DIST_HEADER_BYTES / 4) : DIST_HEADER_BYTES;
    case "mirror-sync":
      return DIST_HEADER_BYTES + message.bytes;
    case "records":
      return DIST_HEADER_BYTES * (1 + message.records.length);
    case "raft":
      return DIST_HEADER_BYTES + message.bytes;
    default:
      return DIST_HEADER_BYTES;
  }
}
