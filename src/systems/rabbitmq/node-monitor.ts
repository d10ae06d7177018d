/**
 * How a RabbitMQ node reacts to its peers going down and coming back up, as
 * rabbit_node_monitor does: nodedown and nodeup (the distribution link's
 * view, node-link.ts, whose ticks notice a silent peer within
 * net_ticktime), a peer's announced orderly stop, and
 * `cluster_partition_handling` (https://www.rabbitmq.com/docs/partitions):
 * - ignore: both sides go on, and they stay apart when they meet again:
 *   a node that saw a peer go down and come back as the same incarnation
 *   marks it partitioned (Mnesia's inconsistent_database, RabbitMQ's
 *   "running_partitioned_network"), tells it so, and from then on neither
 *   adopts the other's queue records nor places mirrors on it: two masters
 *   of a mirrored queue stay two, each confirming on its side, until an
 *   operator restarts the nodes of one side. A restarted node takes the
 *   records of the nodes that kept running (it syncs its tables from them),
 *   so the restarted side's masters become mirrors, empty: its messages
 *   since the split are gone (https://www.rabbitmq.com/docs/partitions,
 *   "Recovering from a split-brain"). Quorum queues (Ra) do not use these
 *   records and heal on their own;
 * - pause_minority: a node that sees half the cluster or less stops its
 *   RabbitMQ application (clients disconnected, queue processes stopped) and
 *   starts it again, as after a restart, once it sees a majority;
 * - autoheal: as ignore, and the nodes of the losing side restart their
 *   application when the partition heals (mirrors come back empty).
 *
 * Apart from broker.ts because it is a policy over the node, not the node
 * itself: the broker starts and stops its application, keeps its records
 * and carries messages; this decides, from what the node knows of its peers
 * (peer-view.ts), when a peer's coming or going calls for which of those.
 * It lives as long as the broker (a peer's connection epochs and a pending
 * autoheal outlast a restart); reset() forgets what a restart forgets.
 */
import type { ClusterLog } from "../../world/cluster-log.js";
import type { Trace } from "../../kernel/index.js";
import type { RabbitMqConfig } from "./config.js";
import type { NodeLinkListener } from "./node-link.js";
import type { NodeMessage } from "./protocol.js";
import type { QueueRoles } from "./queue-roles.js";
import { PeerView } from "./peer-view.js";

/** What the monitor needs from its broker: the node's state and the actions a reaction takes. */
export interface NodeMonitorHost {
  readonly config: RabbitMqConfig;
  readonly trace: Trace;
  /** The run's cluster log (src/world/cluster-log.ts): what the reports' timeline shows. */
  readonly clusterLog: ClusterLog;
  /** The cluster's node names, in cluster order. */
  readonly clusterNodes: readonly string[];
  nodeName(): string;
  /** The node has its tables (booted), whether or not its application runs. */
  isReady(): boolean;
  isAppRunning(): boolean;
  upNodes(): string[];
  /** The incarnation the peer runs now (a new one means it restarted). */
  incarnationOf(peer: string): number;
  /** Sends on the peer's distribution link, which is up. */
  tell(peer: string, message: NodeMessage): void;
  /** Tells a peer that came up this node's queue records and its own alarms. */
  greet(peer: string): void;
  /** Lets go of a peer that went down: its connection to this node, its alarms, the channels' monitors on it. */
  forget(peer: string): void;
  startApp(): void;
  stopApp(reason: string): void;
  /** The queue processes of the application as it is now (a new set at each start). */
  roles(): QueueRoles;
  mark(name: string): void;
}

export class NodeMonitor implements NodeLinkListener {
  /** Peers' incarnations, partitions, connection epochs (peer-view.ts). */
  readonly peers = new PeerView();
  private readonly pendingHeals = new Set<string>();
  /** Peers that announced an orderly stop and have not come back since. */
  private readonly stoppingPeers = new Set<string>();

  constructor(private readonly host: NodeMonitorHost) {}

  /** A new incarnation of this node: a peer met again after its own restart is not a healed partition. */
  reset(): void {
    this.stoppingPeers.clear();
    this.peers.reset();
  }

  isStopping(peer: string): boolean {
    return this.stoppingPeers.has(peer);
  }

  /** The peer announced an orderly stop (its mirrors apply ha-promote-on-shutdown, queue-roles.ts). */
  onPeerStopping(peer: string): void {
    this.stoppingPeers.add(peer);
  }

  onPeerUp(peer: string): void {
    const host = this.host;
    this.stoppingPeers.delete(peer);
    host.trace.record("rabbit.nodeup", `${host.nodeName()}->${peer}`);
    host.clusterLog.record("node-up", "", peer, -1, `nodeup seen by ${host.nodeName()}`);
    const isSameIncarnation = this.peers.onPeerUp(peer, host.incarnationOf(peer));
    // The same incarnation came back after this node, running, saw it go: tell it. If it saw this node go
    // too, the two ran apart: with ignore they stay apart (notePartitioned).
    if (this.peers.sawDown(peer)) {
      host.tell(peer, { kind: "saw-you-down" });
      this.notePartitioned(peer);
    }
    host.greet(peer);
    if (this.peers.isPartitioned(peer)) return;
    if (!host.isAppRunning()) {
      if (host.isReady() && !this.shouldPause()) host.startApp();
      return;
    }
    // The same incarnation came back: it was a partition, not a restart; autoheal decides once it hears the peer's side.
    if (isSameIncarnation && host.config.cluster_partition_handling === "autoheal") this.pendingHeals.add(peer);
    host.roles().onPeerUp(peer);
  }

  /** The peer says it saw this node go down while it ran: the other half of a partition. */
  onSawMeDown(peer: string): void {
    this.peers.onSawMeDown(peer);
    this.notePartitioned(peer);
  }

  /** With ignore, a running node and a peer that each saw the other go down stay apart (peer-view.ts). */
  private notePartitioned(peer: string): void {
    const host = this.host;
    if (host.config.cluster_partition_handling !== "ignore" || !host.isAppRunning() || !this.peers.markIfPartitioned(peer)) return;
    host.trace.record("rabbit.partitioned", `${host.nodeName()}|${peer}`);
    host.clusterLog.record("node-down", "", peer, -1, `${host.nodeName()} and ${peer} stay partitioned (cluster_partition_handling ignore)`);
    host.mark("rabbit.partitioned");
  }

  onPeerDown(peer: string): void {
    const host = this.host;
    host.trace.record("rabbit.nodedown", `${host.nodeName()}->${peer}`);
    host.clusterLog.record("node-down", "", peer, -1, `nodedown seen by ${host.nodeName()} (net_ticktime)`);
    this.peers.onPeerDown(peer, host.isAppRunning());
    host.forget(peer);
    if (!host.isAppRunning()) return;
    if (this.shouldPause()) {
      host.stopApp("pause_minority");
      return;
    }
    host.roles().onPeerDown(peer);
  }

  /** The peer's records arrived, with how many nodes its side sees: an autoheal pending on it is decided now. */
  onPeerRecords(peer: string, peerUpCount: number): void {
    if (this.pendingHeals.delete(peer) && this.host.isAppRunning() && this.isOnLosingSide(peer, peerUpCount)) {
      this.host.stopApp("autoheal");
      this.host.startApp();
    }
  }

  shouldPause(): boolean {
    if (this.host.config.cluster_partition_handling !== "pause_minority") return false;
    return this.host.upNodes().length * 2 <= this.host.clusterNodes.length;
  }

  /**
   * autoheal picks the partition with the most client connections as the
   * winner; mqsim approximates with the side that sees more nodes, ties
   * going to the node first in cluster order. The loser restarts its app.
   */
  private isOnLosingSide(peer: string, peerUpCount: number): boolean {
    const mine = this.host.upNodes().length;
    if (mine !== peerUpCount) return mine < peerUpCount;
    const nodes = this.host.clusterNodes;
    return nodes.indexOf(this.host.nodeName()) > nodes.indexOf(peer);
  }
}
