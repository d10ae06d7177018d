/**
 * A client library's connection to the cluster: it tries the configured
 * nodes in turn (the client's host list), and after a failure recovers by
 * reconnecting to the next one after `clientReconnectNs` (automatic
 * connection recovery, as the Java client's networkRecoveryInterval).
 *
 * A node that went silent (a partition, a power loss) is noticed by AMQP
 * heartbeats (tick-monitor.ts): TCP keeps the connection, so without them
 * the client would wait on it for good.
 */
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { AMQP_PORT } from "./broker.js";
import { clientFrameBytes, type ClientFrame, type ServerFrame } from "./protocol.js";
import { HEARTBEATS_PER_TIMEOUT, TickMonitor } from "./tick-monitor.js";

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

export class ClientConnection {
  private endpoint: Endpoint | null = null;
  private isConnecting = false;
  private attempt = 0;
  private hasOpened = false;
  private readonly handler: ConnectionHandler;
  private readonly heartbeats: TickMonitor;
  private readonly connectBound = (): void => this.connect();

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    private readonly hosts: readonly string[],
    private readonly reconnectNs: number,
    heartbeatNs: number,
    private readonly listener: ClientConnectionListener,
  ) {
    this.heartbeats = new TickMonitor(node, Math.max(1, Math.floor(heartbeatNs / HEARTBEATS_PER_TIMEOUT)), HEARTBEATS_PER_TIMEOUT, {
      sendTick: () => this.send({ kind: "heartbeat" }),
      onSilent: () => {
        this.world.kernel.marks.hit("rabbit.client.heartbeat-timeout");
        this.reset();
        this.handler.onClose(this.endpoint!, "timeout");
      },
    });
    this.handler = {
      onOpen: (endpoint) => {
        this.endpoint = endpoint;
        this.isConnecting = false;
        this.heartbeats.start();
        this.listener.onOpen(endpoint.peerNode.name);
      },
      onData: (_e, payload) => {
        this.heartbeats.noteRead();
        const frame = payload as ServerFrame;
        if (frame.kind !== "heartbeat") this.listener.onFrame(frame);
      },
      onClose: () => {
        const wasOpen = this.endpoint !== null;
        this.heartbeats.stop();
        this.endpoint = null;
        this.isConnecting = false;
        this.attempt++;
        if (wasOpen) {
          this.hasOpened = true;
          this.listener.onClose();
        }
        this.node.after(this.hasOpened ? this.reconnectNs : FIRST_CONNECT_RETRY_NS, this.connectBound);
      },
    };
  }

  get isOpen(): boolean {
    return this.endpoint !== null && this.endpoint.isOpen;
  }

  get server(): string | null {
    return this.endpoint?.peerNode.name ?? null;
  }

  connect(): void {
    if (this.isConnecting || this.endpoint !== null) return;
    this.isConnecting = true;
    const host = this.hosts[this.attempt % this.hosts.length]!;
    this.world.net.connect(this.node, this.world.node(host), AMQP_PORT, CLIENT_TRAFFIC, this.handler);
  }

  send(frame: ClientFrame): boolean {
    if (this.endpoint === null) return false;
    const isSent = this.endpoint.send(frame, clientFrameBytes(frame));
    if (isSent) this.heartbeats.noteWrite();
    return isSent;
  }

  /** Gives up on the current connection (a timeout): close it and recover. */
  reset(): void {
    this.endpoint?.close();
  }
}
