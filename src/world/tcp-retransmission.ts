/**
 * TCP's retransmission timer, per direction of a connection, as Linux runs
 * it: a segment that did not get through (or whose acknowledgement did not
 * get back) goes back to the sender's queue and arms the timer at rto_min
 * (200 ms); each expiry resends the oldest segment alone and doubles the
 * timeout up to rto_max (120 s); after tcp_retries2 retransmissions the
 * sender gives up. An acknowledgement in recovery resets the timer and sends
 * the queue in order. Kernel work: it runs while the process is paused.
 */
import { NO_EVENT } from "../kernel/event-queue.js";
import type { Marks } from "../kernel/marks.js";
import { ROOT_GROUP, type Scheduler } from "../kernel/scheduler.js";
import type { Side } from "./connection.js";
import type { TcpOptions } from "./network-options.js";
import type { Packet } from "./packet.js";
import type { TcpDirection } from "./tcp-direction.js";

/** What the retransmission timer asks of the network. */
export interface RetransmissionHost {
  /** Puts a segment on the wire again from `fromSide`. */
  transmit(packet: Packet, fromSide: Side): void;
  /** tcp_retries2 retransmissions went unanswered: the connection times out at `fromSide`. */
  giveUp(direction: TcpDirection): void;
}

export class TcpRetransmission {
  private readonly onTimerBound = (direction: TcpDirection): void => this.onTimer(direction);

  constructor(
    private readonly scheduler: Scheduler,
    private readonly marks: Marks,
    private readonly tcp: TcpOptions,
    private readonly host: RetransmissionHost,
  ) {}

  /** A segment did not get through (or its acknowledgement did not get back): back to the sender's queue, timer armed. */
  lost(direction: TcpDirection, packet: Packet): void {
    direction.requeue(packet);
    if (direction.isRecovering) return;
    if (direction.rtoNs === 0) direction.rtoNs = this.tcp.rtoMinNs;
    direction.timer = this.scheduler.after(direction.rtoNs, this.onTimerBound, direction, ROOT_GROUP);
  }

  /**
   * An acknowledgement got back to a sender in recovery: the timeout resets
   * and the queue goes out in order. It is taken to reach the sender as the
   * segment reaches the receiver, one latency early: one event fewer, and
   * only recovery (a rare path) is that much faster.
   */
  acknowledged(direction: TcpDirection): void {
    if (direction.timer !== NO_EVENT) this.scheduler.cancel(direction.timer);
    direction.timer = NO_EVENT;
    direction.retries = 0;
    direction.rtoNs = 0;
    direction.dropDelivered();
    if (direction.unacked.length === 0) return;
    for (const packet of direction.takeAll()) this.host.transmit(packet, direction.fromSide);
  }

  /** Resend the oldest segment alone and double the timeout, or give up after tcp_retries2 retransmissions. */
  private onTimer(direction: TcpDirection): void {
    direction.timer = NO_EVENT;
    if (direction.connection.isGone[direction.fromSide]) return;
    if (direction.retries >= this.tcp.retries2) return this.host.giveUp(direction);
    direction.retries++;
    direction.rtoNs = Math.min(direction.rtoNs * 2, this.tcp.rtoMaxNs);
    this.marks.hit("net.tcp.retransmit");
    direction.timer = this.scheduler.after(direction.rtoNs, this.onTimerBound, direction, ROOT_GROUP);
    const probe = direction.takeOldest();
    if (probe !== undefined) this.host.transmit(probe, direction.fromSide);
  }
}
