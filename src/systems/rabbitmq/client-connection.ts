/**
 * A client library's connection to the cluster: it tries the configured
 * nodes in turn (the client's host list), and after a failure recovers by
 * reconnecting to the next one after `clientReconnectNs` (automatic
 * connection recovery, as the Java client's networkRecoveryInterval): the
 * shared ReconnectingLink (src/world/reconnecting-link.ts) with AMQP
 * heartbeats as its liveness.
 *
 * A node that went silent (a partition, a power loss) is noticed by AMQP
 * heartbeats (tick-monitor.ts): TCP keeps the connection, so without them
 * the client would wait on it for good.
 */
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import { HEARTBEATS_PER_TIMEOUT } from "../../world/tick-monitor.js";
import type { World } from "../../world/world.js";
import { AMQP_PORT } from "./broker.js";
import { clientFrameBytes, type ClientFrame, type ServerFrame } from "./protocol.js";

export const CLIENT_TRAFFIC = "client";
/**
 * Until its first connection opens, an application retries connecting in a
 * tight loop (the initial connect is the application's own call, which fails
 * at once when the node does not accept yet); automatic recovery, with its
 * interval, applies only to a connection that was open. Without this, a
 * client booted with the cluster waited a whole recovery interval for the
 * nodes' AMQP listeners, a spurious outage at the start of every run.
 */
export const FIRST_CONNECT_RETRY_NS = 50_000_000;

export interface ClientConnectionListener {
  onOpen(server: string): void;
  onFrame(frame: ServerFrame): void;
  onClose(): void;
}

const HEARTBEAT: ClientFrame = { kind: "heartbeat" };

export class ClientConnection {
  private readonly link: ReconnectingLink<ClientFrame | ServerFrame>;

  constructor(world: World, node: WorldNode, hosts: readonly string[], reconnectNs: number, heartbeatNs: number, listener: ClientConnectionListener) {
    this.link = new ReconnectingLink<ClientFrame | ServerFrame>(
      {
        world,
        node,
        hosts: hosts.map((host) => world.node(host)),
        port: AMQP_PORT,
        trafficClass: CLIENT_TRAFFIC,
        bytesOf: (frame) => clientFrameBytes(frame as ClientFrame),
        reconnectBackoffNs: reconnectNs,
        firstConnectRetryNs: FIRST_CONNECT_RETRY_NS,
        ticks: {
          intervalNs: Math.max(1, Math.floor(heartbeatNs / HEARTBEATS_PER_TIMEOUT)),
          silentIntervalsMax: HEARTBEATS_PER_TIMEOUT,
          tick: HEARTBEAT,
          isTick: (frame) => frame.kind === "heartbeat",
          silentMark: "rabbit.client.heartbeat-timeout",
        },
      },
      {
        onOpen: (server) => listener.onOpen(server.name),
        onMessage: (frame) => listener.onFrame(frame as ServerFrame),
        onDown: (wasOpen) => {
          if (wasOpen) listener.onClose();
        },
      },
    );
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  /** The node of the open connection (null while none is open). */
  get server(): string | null {
    return this.link.openPeer?.name ?? null;
  }

  connect(): void {
    this.link.connect();
  }

  send(frame: ClientFrame): boolean {
    return this.link.send(frame);
  }
}
