/**
 * One direction of a TCP connection: sequence numbers, the receiver's next
 * expected segment, and the sender's retransmission state (RFC 6298 with
 * Linux's constants, see TcpOptions).
 *
 * mqsim's segments are whole sends (batches), so sequence numbers count
 * sends, not bytes. A segment that cannot get through (a partition, a
 * machine that is off, an earlier segment missing) goes back to the
 * sender's `unacked` queue; so does one whose acknowledgement cannot come
 * back (a one-way partition). While that queue waits for the retransmission
 * timer the sender is in loss recovery: new sends queue behind it (the
 * congestion window collapsed to one segment), and each timeout resends the
 * oldest segment alone and doubles the timeout. The first acknowledgement
 * that gets back ends recovery and sends the rest in order.
 */
import { NO_EVENT, type EventHandle } from "../kernel/event-queue.js";
import type { Connection, Side } from "./connection.js";
import type { Packet } from "./packet.js";

export class TcpDirection {
  readonly connection: Connection;
  /** The sending side. */
  readonly fromSide: Side;
  /** Sequence number of the next segment sent. */
  seqNext = 0;
  /** The receiver's next expected segment: everything below it was delivered. */
  deliverNext = 0;
  /** Latest arrival time: a later segment never overtakes an earlier one on the wire. */
  lastArrivalNs = 0;
  /** Segments to (re)send, in sequence order: lost ones, delivered-but-unacknowledged ones, and new ones queued behind them. */
  readonly unacked: Packet[] = [];
  /** Payload bytes in `unacked`: what a socket's send buffer holds while the peer does not acknowledge. */
  unackedBytes = 0;
  /** The retransmission timer; armed exactly while the sender is in loss recovery. */
  timer: EventHandle = NO_EVENT;
  /** The current retransmission timeout (0 until the first loss). */
  rtoNs = 0;
  /** Retransmissions since the last acknowledgement. */
  retries = 0;

  constructor(connection: Connection, fromSide: Side) {
    this.connection = connection;
    this.fromSide = fromSide;
  }

  get isRecovering(): boolean {
    return this.timer !== NO_EVENT;
  }

  /** Queues a new segment behind a retransmission. */
  hold(packet: Packet): void {
    this.unacked.push(packet);
    this.unackedBytes += packet.payloadBytes;
  }

  /** Takes the oldest segment out to resend it alone (it comes back through requeue if it is lost again). */
  takeOldest(): Packet | undefined {
    const packet = this.unacked.shift();
    if (packet !== undefined) this.unackedBytes -= packet.payloadBytes;
    return packet;
  }

  /** Takes every queued segment, in order, to send them all. */
  takeAll(): Packet[] {
    this.unackedBytes = 0;
    return this.unacked.splice(0, this.unacked.length);
  }

  /** Forgets the queue (the socket is gone). */
  clear(): void {
    this.unacked.length = 0;
    this.unackedBytes = 0;
  }

  /** Puts a segment back in sequence order (it usually goes last). */
  requeue(packet: Packet): void {
    this.unackedBytes += packet.payloadBytes;
    const queue = this.unacked;
    let index = queue.length;
    while (index > 0 && queue[index - 1]!.seq > packet.seq) index--;
    queue.splice(index, 0, packet);
  }

  /** Forgets everything the receiver already has (a cumulative acknowledgement). */
  dropDelivered(): void {
    const queue = this.unacked;
    let kept = 0;
    for (let index = 0; index < queue.length; index++) {
      const packet = queue[index]!;
      if (packet.seq >= this.deliverNext) queue[kept++] = packet;
      else this.unackedBytes -= packet.payloadBytes;
    }
    queue.length = kept;
  }
}
