/**
 * One node's Erlang-distribution connection to a peer node, reconnecting
 * after a backoff when it breaks. Its state is the node's view of the peer:
 * open = `nodeup`, closed = `nodedown`. A silent peer is noticed by the
 * distribution's ticks (net_ticktime, see tick-monitor.ts): TCP keeps the
 * connection across a partition, so without them a partition would go
 * unnoticed.
 */
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { nodeMessageBytes, type NodeMessage } from "./protocol.js";
import { TICKS_PER_TICKTIME, TickMonitor } from "./tick-monitor.js";

export const DIST_PORT = "erlang-dist";
export const CLUSTER_TRAFFIC = "cluster";

export interface NodeLinkListener {
  onPeerUp(peer: string): void;
  onPeerDown(peer: string): void;
}

export class NodeLink {
  private endpoint: Endpoint | null = null;
  private isConnecting = false;
  private isClosed = false;
  private readonly handler: ConnectionHandler;
  private readonly ticks: TickMonitor;
  private readonly onRetryBound = (): void => this.connect();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    readonly peer: WorldNode,
    private readonly reconnectNs: number,
    netTicktimeNs: number,
    private readonly listener: NodeLinkListener,
  ) {
    this.ticks = new TickMonitor(node, Math.max(1, Math.floor(netTicktimeNs / TICKS_PER_TICKTIME)), TICKS_PER_TICKTIME, {
      sendTick: () => this.send({ kind: "tick" }),
      onSilent: () => this.onSilent(),
    });
    this.handler = {
      onOpen: (endpoint) => {
        this.endpoint = endpoint;
        this.isConnecting = false;
        this.ticks.start();
        this.listener.onPeerUp(this.peer.name);
      },
      // Messages come in on the peer's own link to us (see broker.ts); this one only sends.
      onData: () => undefined,
      onClose: () => this.onDown(),
    };
  }

  get isOpen(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  connect(): void {
    if (this.isClosed || this.isConnecting || this.endpoint !== null) return;
    this.isConnecting = true;
    this.world.net.connect(this.node, this.peer, DIST_PORT, CLUSTER_TRAFFIC, this.handler);
  }

  send(message: NodeMessage): boolean {
    if (this.endpoint === null) return false;
    const isSent = this.endpoint.send(message, nodeMessageBytes(message));
    if (isSent) this.ticks.noteWrite();
    return isSent;
  }

  /** Something arrived from the peer (on its link to this node). */
  noteRead(): void {
    this.ticks.noteRead();
  }

  close(): void {
    this.isClosed = true;
    this.ticks.stop();
    this.endpoint?.close();
    this.endpoint = null;
  }

  /** net_ticktime ran out: the peer is down; the connection is dropped and tried again. */
  private onSilent(): void {
    this.world.kernel.marks.hit("rabbit.net-tick-timeout");
    this.world.kernel.trace.record("rabbit.net-tick-timeout", `${this.node.name}->${this.peer.name}`);
    this.endpoint?.close();
    this.onDown();
  }

  private onDown(): void {
    const wasOpen = this.endpoint !== null;
    this.endpoint = null;
    this.isConnecting = false;
    this.ticks.stop();
    if (wasOpen) this.listener.onPeerDown(this.peer.name);
    if (!this.isClosed) this.node.after(this.reconnectNs, this.onRetryBound);
  }
}
