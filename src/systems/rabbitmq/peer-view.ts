/**
 * What one node incarnation knows of its peers' comings and goings, as the
 * broker needs it to tell a peer that restarted from a partition that
 * healed, and (cluster_partition_handling ignore) to decide that two nodes
 * ran apart and stay apart.
 *
 * Mnesia reports inconsistent_database once both nodes, running, saw each
 * other go down and meet again as the same incarnations. Here each side
 * records the peers it saw go down while its application ran, tells such a
 * peer so when it comes back ("saw-you-down"), and marks it partitioned once
 * it has both halves. A peer met again as a new incarnation (it restarted)
 * is a rejoin: everything about it is forgotten.
 *
 * The connection epoch counts how many times each peer's distribution
 * connection came up over the node's whole life (never reset): Raft resends
 * only what went out before the last reconnection (raft-leader.ts).
 */
import { compareStrings } from "../../kernel/index.js";

export class PeerView {
  /** Peer incarnations this incarnation has seen. */
  private readonly incarnations = new Map<string, number>();
  /** Peers this incarnation met again after a partition, with ignore (see the header). */
  private readonly partitioned = new Set<string>();
  /** Peers this incarnation saw go down while its application ran. */
  private readonly downWhileRunning = new Set<string>();
  /** Peers that said they saw this node go down while they ran (the other half of a partition). */
  private readonly sawMeDown = new Set<string>();
  private readonly connectionUps = new Map<string, number>();

  /** A new incarnation of this node knows nothing of its peers' past. */
  reset(): void {
    this.incarnations.clear();
    this.partitioned.clear();
    this.downWhileRunning.clear();
    this.sawMeDown.clear();
  }

  /**
   * The peer's connection came up, as `incarnation`. Returns true if this
   * incarnation had seen that same incarnation before (a partition healed,
   * not a restart); a new incarnation wipes what was known of the old one.
   */
  onPeerUp(peer: string, incarnation: number): boolean {
    this.connectionUps.set(peer, (this.connectionUps.get(peer) ?? 0) + 1);
    const seenBefore = this.incarnations.get(peer);
    this.incarnations.set(peer, incarnation);
    if (seenBefore === incarnation) return true;
    this.partitioned.delete(peer);
    this.downWhileRunning.delete(peer);
    this.sawMeDown.delete(peer);
    return false;
  }

  onPeerDown(peer: string, isAppRunning: boolean): void {
    if (isAppRunning) this.downWhileRunning.add(peer);
  }

  /** This node saw the peer go down while it ran: the peer should be told when it comes back. */
  sawDown(peer: string): boolean {
    return this.downWhileRunning.has(peer);
  }

  onSawMeDown(peer: string): void {
    this.sawMeDown.add(peer);
  }

  /** Marks the peer partitioned if both halves are known; true if it was newly marked. */
  markIfPartitioned(peer: string): boolean {
    if (this.partitioned.has(peer) || !this.downWhileRunning.has(peer) || !this.sawMeDown.has(peer)) return false;
    this.partitioned.add(peer);
    return true;
  }

  isPartitioned(peer: string): boolean {
    return this.partitioned.has(peer);
  }

  partitionedPeers(): string[] {
    return [...this.partitioned].sort(compareStrings);
  }

  connectionEpoch(peer: string): number {
    return this.connectionUps.get(peer) ?? 0;
  }
}
