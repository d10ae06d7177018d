/**
 * One node's Erlang-distribution connection to a peer node, reconnecting
 * after a backoff when it breaks: the shared ReconnectingLink
 * (src/world/reconnecting-link.ts) with ticks as its liveness. Its state is the node's view of the peer:
 * open = `nodeup`, closed = `nodedown`. A silent peer is noticed by the
 * distribution's ticks (net_ticktime, see tick-monitor.ts): TCP keeps the
 * connection across a partition, so without them a partition would go
 * unnoticed.
 */
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import { TICKS_PER_TICKTIME } from "../../world/tick-monitor.js";
import type { World } from "../../world/world.js";
import { nodeMessageBytes, type NodeMessage } from "./protocol.js";

export const DIST_PORT = "erlang-dist";
export const CLUSTER_TRAFFIC = "cluster";

export interface NodeLinkListener {
  onPeerUp(peer: string): void;
  onPeerDown(peer: string): void;
}

const TICK: NodeMessage = { kind: "tick" };

export class NodeLink {
  private readonly link: ReconnectingLink<NodeMessage>;

  constructor(
    world: World,
    node: WorldNode,
    readonly peer: WorldNode,
    reconnectNs: number,
    netTicktimeNs: number,
    listener: NodeLinkListener,
  ) {
    this.link = new ReconnectingLink(
      {
        world,
        node,
        hosts: [peer],
        port: DIST_PORT,
        trafficClass: CLUSTER_TRAFFIC,
        bytesOf: nodeMessageBytes,
        reconnectBackoffNs: reconnectNs,
        ticks: {
          intervalNs: Math.max(1, Math.floor(netTicktimeNs / TICKS_PER_TICKTIME)),
          silentIntervalsMax: TICKS_PER_TICKTIME,
          tick: TICK,
          isTick: (message) => message.kind === "tick",
          silentMark: "rabbit.net-tick-timeout",
          silentTrace: "rabbit.net-tick-timeout",
        },
      },
      {
        onOpen: () => listener.onPeerUp(peer.name),
        // Messages come in on the peer's own link to us (see broker.ts); this one only sends.
        onMessage: () => undefined,
        onDown: (wasOpen) => {
          if (wasOpen) listener.onPeerDown(peer.name);
        },
      },
    );
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  connect(): void {
    this.link.connect();
  }

  send(message: NodeMessage): boolean {
    return this.link.send(message);
  }

  /** Something arrived from the peer (on its link to this node). */
  noteRead(): void {
    this.link.noteRead();
  }

  close(): void {
    this.link.close();
  }
}
