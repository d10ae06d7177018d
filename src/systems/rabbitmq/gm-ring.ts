/**
 * GM, RabbitMQ 3.x's guaranteed multicast (rabbitmq-server
 * deps/rabbit/src/gm.erl), as a mirrored classic queue uses it: the master
 * and its mirrors form a ring, master first, then the mirrors in the order
 * they joined. The master broadcasts each publish and each removal to its
 * downstream neighbour, every member applies it and passes it on, and the
 * last member sends it back to the master: "When A receives from D
 * messages that A sent, it knows that all members have received the
 * message". The master then sends an acknowledgement around the ring, and
 * every member forgets the message. Acknowledgements ride on the master's
 * next broadcast (gm.erl sends pubs and acks together in one "activity"),
 * or go alone after BROADCAST_TIMER (25 ms) when nothing else is sent. Until then each member keeps it: when a
 * member's downstream neighbour dies, it sends what it keeps to the next
 * member alive, so a message that reached any survivor reaches them all.
 * A member applies each message of a master once (by its sequence number).
 *
 * So a publish crosses the cluster N times on the ring (back to the master
 * included), besides the channel's own copy to each mirror
 * (broker-router.ts copyToMirrors), and every hop costs the member's CPU.
 */
import type { QueueHost } from "./queue-host.js";
import type { NodeMessage } from "./protocol.js";
import type { QueueSegment } from "./queue-segment.js";

/** gm.erl's BROADCAST_TIMER: a buffered activity (here: an acknowledgement with no broadcast to ride on) goes out within it. */
export const GM_BROADCAST_TIMER_NS = 25_000_000;

export type GmPayload = { op: "publish"; segment: QueueSegment } | { op: "remove"; seq: number; count: number };
export type GmMessage = Extract<NodeMessage, { kind: "gm" }>;

interface Kept {
  message: GmMessage;
  /** Where this member sent it; if that node dies, it goes to the next member alive. */
  nextHop: string | null;
}

/** One member's part of the ring for one master (the group): forwarding and keeping what is not yet acknowledged around. */
export class GmMember {
  private readonly kept: Kept[] = [];

  constructor(
    private readonly host: QueueHost,
    private readonly queue: string,
  ) {}

  /** The member after this one on the message's ring that is up; the ring ends back at the master (null if it is gone). */
  nextHopOf(message: GmMessage): string | null {
    const ring = message.ring;
    const me = this.host.node.name;
    const mine = ring.indexOf(me);
    for (let k = mine + 1; k < ring.length; k++) if (this.host.isNodeUp(ring[k]!)) return ring[k]!;
    // Back to the master, unless this member is the master (a ring of one) or the master is gone.
    return mine !== 0 && this.host.isNodeUp(ring[0]!) ? ring[0]! : null;
  }

  /** Passes a message on; a broadcast (not an acknowledgement) is kept until acknowledged around the ring. */
  forward(message: GmMessage): void {
    if (message.ackUpTo > 0) this.forget(message.ackUpTo);
    const nextHop = this.nextHopOf(message);
    if (nextHop !== null) this.host.send(nextHop, message);
    if (message.phase === "msg") this.kept.push({ message, nextHop });
  }

  /** Everything up to gmSeq went round: forget it. */
  forget(gmSeq: number): void {
    let drop = 0;
    while (drop < this.kept.length && this.kept[drop]!.message.gmSeq <= gmSeq) drop++;
    if (drop > 0) this.kept.splice(0, drop);
  }

  /** A node is down: what this member sent to it goes to the next member alive (GM's catch-up of a new downstream). */
  onPeerDown(node: string): void {
    for (const entry of this.kept) {
      if (entry.nextHop !== node) continue;
      entry.nextHop = this.nextHopOf(entry.message);
      if (entry.nextHop !== null) this.host.send(entry.nextHop, entry.message);
    }
  }

  /** Messages kept, for tests. */
  get keptCount(): number {
    return this.kept.length;
  }

  get queueName(): string {
    return this.queue;
  }
}
