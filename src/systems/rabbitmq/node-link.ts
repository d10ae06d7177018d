/**
 * One node's Erlang-distribution connection to a peer node, reconnecting
 * after a backoff when it breaks. Its state is the node's view of the peer:
 * open = `nodeup`, closed = `nodedown` (Erlang notices a silent peer when
 * the connection's ticks stop: net_ticktime; in mqsim the network's
 * breakDetectNs plays that role).
 */
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { nodeMessageBytes, type NodeMessage } from "./protocol.js";

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
  private readonly onRetryBound = (): void => this.connect();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    readonly peer: WorldNode,
    private readonly reconnectNs: number,
    private readonly listener: NodeLinkListener,
  ) {
    this.handler = {
      onOpen: (endpoint) => {
        this.endpoint = endpoint;
        this.isConnecting = false;
        this.listener.onPeerUp(this.peer.name);
      },
      // Messages come in on the peer's own link to us (see broker.ts); this one only sends.
      onData: () => undefined,
      onClose: () => {
        const wasOpen = this.endpoint !== null;
        this.endpoint = null;
        this.isConnecting = false;
        if (wasOpen) this.listener.onPeerDown(this.peer.name);
        if (!this.isClosed) this.node.after(this.reconnectNs, this.onRetryBound);
      },
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
    return this.endpoint.send(message, nodeMessageBytes(message));
  }

  close(): void {
    this.isClosed = true;
    this.endpoint?.close();
    this.endpoint = null;
  }
}
