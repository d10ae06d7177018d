/**
 * RabbitMQ's credit-based flow control between a channel and the queue
 * processes it publishes to (rabbit_common's credit_flow.erl): the sender
 * starts with InitialCredit per receiver, spends one per message, and is
 * blocked when a receiver's credit reaches 0; the receiver grants
 * MoreCreditAfter more ({bump_credit, …}) each time it has handled that many
 * of the sender's messages. Defaults {400, 200} (credit_flow_default_credit,
 * the same from 3.12 to 4.x). A blocked channel stops its reader, which
 * stops reading the socket: the publisher is held by TCP ("flow" state).
 * The channel sends to a mirrored queue's mirrors with credit too (3.x
 * mirroring_flow_control, on by default).
 *
 * Quorum queues use no credit: rabbit_fifo_client blocks the channel while
 * it has quorum_commands_soft_limit (32) commands unanswered by the queue,
 * and unblocks it below that.
 * Sources: docs/research/rabbitmq-cpu-and-flow.md §1.
 */
import { assert } from "../../kernel/index.js";

/** credit_flow_default_credit: {InitialCredit, MoreCreditAfter}. */
export const INITIAL_CREDIT = 400;
export const MORE_CREDIT_AFTER = 200;
/** quorum_commands_soft_limit. */
export const QUORUM_COMMANDS_SOFT_LIMIT = 32;

/** Which process of a classic queue on a node: its master (or the classic queue itself), or a mirror. */
export type CreditRole = "master" | "mirror";

/** The channel's side: credit per queue process (queue, node, role), commands pending per quorum queue. */
export class ChannelCredit {
  /** queue → node → credit left, for masters and for mirrors. */
  private readonly masters = new Map<string, Map<string, number>>();
  private readonly mirrors = new Map<string, Map<string, number>>();
  /** quorum queue → commands not yet answered. */
  private readonly quorumPending = new Map<string, number>();
  private blockedBy = 0;
  /** Time the channel spent blocked (its "flow" state), for reports. */
  private blockedSinceNs = -1;
  private blockedNsTotal = 0;

  get isBlocked(): boolean {
    return this.blockedBy > 0;
  }

  blockedNs(nowNs: number): number {
    return this.blockedNsTotal + (this.blockedSinceNs >= 0 ? nowNs - this.blockedSinceNs : 0);
  }

  /** `count` messages sent to the classic queue process `queue` on `node`. */
  noteSent(queue: string, node: string, role: CreditRole, count: number, nowNs: number): void {
    const byQueue = role === "master" ? this.masters : this.mirrors;
    let byNode = byQueue.get(queue);
    if (byNode === undefined) {
      byNode = new Map();
      byQueue.set(queue, byNode);
    }
    const before = byNode.get(node) ?? INITIAL_CREDIT;
    const after = before - count;
    byNode.set(node, after);
    if (before > 0 && after <= 0) this.block(nowNs);
  }

  /** The queue process granted more ({bump_credit, …}). */
  grant(queue: string, node: string, role: CreditRole, credit: number, nowNs: number): void {
    const byNode = (role === "master" ? this.masters : this.mirrors).get(queue);
    const before = byNode?.get(node);
    if (byNode === undefined || before === undefined) return;
    const after = before + credit;
    byNode.set(node, after);
    if (before <= 0 && after > 0) this.unblock(nowNs);
  }

  /**
   * The queue's record changed: processes it no longer lists are gone for
   * this channel (the channel monitors its queue processes; a DOWN calls
   * credit_flow:peer_down), and so is any block on them.
   */
  onQueueProcesses(queue: string, master: string | null, mirrors: readonly string[], nowNs: number): void {
    const masters = this.masters.get(queue);
    if (masters !== undefined) for (const [node, left] of masters) if (node !== master) this.drop(masters, node, left, nowNs);
    const copies = this.mirrors.get(queue);
    if (copies !== undefined) for (const [node, left] of copies) if (!mirrors.includes(node)) this.drop(copies, node, left, nowNs);
  }

  private drop(byNode: Map<string, number>, node: string, left: number, nowNs: number): void {
    byNode.delete(node);
    if (left <= 0) this.unblock(nowNs);
  }

  /** `count` commands sent to a quorum queue. */
  noteQuorumSent(queue: string, count: number, nowNs: number): void {
    const before = this.quorumPending.get(queue) ?? 0;
    this.quorumPending.set(queue, before + count);
    if (before < QUORUM_COMMANDS_SOFT_LIMIT && before + count >= QUORUM_COMMANDS_SOFT_LIMIT) this.block(nowNs);
  }

  /** The quorum queue answered `count` commands (applied, or refused). */
  noteQuorumAnswered(queue: string, count: number, nowNs: number): void {
    const before = this.quorumPending.get(queue);
    if (before === undefined) return;
    const after = Math.max(0, before - count);
    this.quorumPending.set(queue, after);
    if (before >= QUORUM_COMMANDS_SOFT_LIMIT && after < QUORUM_COMMANDS_SOFT_LIMIT) this.unblock(nowNs);
  }

  /** A node went down: its queue processes are gone, and so is any block on them (credit_flow:peer_down). */
  forgetNode(node: string, nowNs: number): void {
    for (const byQueue of [this.masters, this.mirrors]) {
      for (const byNode of byQueue.values()) {
        const left = byNode.get(node);
        if (left !== undefined) this.drop(byNode, node, left, nowNs);
      }
    }
  }

  /** A node went down: the channel failed what its quorum queues had pending, and stops waiting on them (the client resends). */
  forgetQuorumAll(nowNs: number): void {
    for (const [queue, pending] of this.quorumPending) {
      this.quorumPending.delete(queue);
      if (pending >= QUORUM_COMMANDS_SOFT_LIMIT) this.unblock(nowNs);
    }
  }

  private block(nowNs: number): void {
    if (this.blockedBy === 0) this.blockedSinceNs = nowNs;
    this.blockedBy++;
  }

  private unblock(nowNs: number): void {
    assert(this.blockedBy > 0, "credit flow: unblocked more than blocked");
    this.blockedBy--;
    if (this.blockedBy > 0) return;
    this.blockedNsTotal += nowNs - this.blockedSinceNs;
    this.blockedSinceNs = -1;
  }
}

/** The queue process's side: messages handled per sending channel since its last grant. */
export class CreditGrants {
  /** channel node → channel id → messages handled since the last grant. */
  private readonly handled = new Map<string, Map<number, number>>();

  /**
   * `count` messages from the channel were handled: the credit to grant it
   * now (a multiple of MORE_CREDIT_AFTER), 0 for none yet.
   */
  noteHandled(node: string, channel: number, count: number): number {
    let byChannel = this.handled.get(node);
    if (byChannel === undefined) {
      byChannel = new Map();
      this.handled.set(node, byChannel);
    }
    const total = (byChannel.get(channel) ?? 0) + count;
    const grants = Math.floor(total / MORE_CREDIT_AFTER);
    byChannel.set(channel, total - grants * MORE_CREDIT_AFTER);
    return grants * MORE_CREDIT_AFTER;
  }
}
