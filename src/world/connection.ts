/**
 * TCP-like connections: ordered, reliable byte streams between two node
 * processes. As in TCP, a connection survives a partition: what cannot get
 * through is retransmitted with exponential backoff (tcp-direction.ts) and
 * arrives after the heal, unless the sender's kernel gives up first
 * (tcp_retries2: about 15 minutes). An end learns that the other is gone
 * only from a packet: a reset from the peer's OS (its process crashed or
 * closed the socket, its machine rebooted), or its own retransmission
 * timeout. A silent peer on an idle connection is never noticed by TCP
 * (keepalive is off by default): protocols notice it through their own
 * timers (request timeouts, heartbeats, net_ticktime).
 */
import { NO_EVENT, type EventHandle } from "../kernel/event-queue.js";
import { TcpDirection } from "./tcp-direction.js";
import type { WorldNode } from "./node.js";

export type CloseReason =
  /** Nothing listens on that port (or the process is down): the peer's OS sent a reset. */
  | "refused"
  /** The handshake got no answer (peer machine off, or the path is cut). */
  | "connect-timeout"
  /** The peer's OS reset the connection: its process crashed, or a packet reached a socket that is gone. */
  | "reset"
  /** This end's retransmissions went unanswered until its kernel gave up (tcp_retries2, ETIMEDOUT). */
  | "timeout"
  /** The peer closed the connection. */
  | "closed-by-peer";

export interface ConnectionHandler {
  /** The client end learns the handshake completed; the server end is open from `accept`. */
  onOpen?(endpoint: Endpoint): void;
  onData(endpoint: Endpoint, payload: unknown, bytes: number): void;
  onClose(endpoint: Endpoint, reason: CloseReason): void;
}

/** What a listening process does with a new connection. */
export interface Acceptor {
  accept(endpoint: Endpoint): ConnectionHandler;
}

export type ConnectionState = "connecting" | "open" | "closed";

/** The operations an endpoint needs from the network (a narrow seam for tests). */
export interface ConnectionTransport {
  sendOnConnection(endpoint: Endpoint, payload: unknown, bytes: number, cpuDelayNs?: number): boolean;
  closeConnection(endpoint: Endpoint): void;
}

export const CLIENT_SIDE = 0;
export const SERVER_SIDE = 1;
export type Side = typeof CLIENT_SIDE | typeof SERVER_SIDE;

export class Connection {
  readonly id: number;
  readonly port: string;
  readonly classId: number;
  /** "closed" once both ends are gone. */
  state: ConnectionState = "connecting";
  readonly client: Endpoint;
  /** Set when the server process accepts. */
  server: Endpoint | null = null;
  /** Per side: that end's socket no longer exists (closed, reset, timed out, its process or machine went down). */
  readonly isGone: [boolean, boolean] = [false, false];
  /** The two byte streams, indexed by the sending side. */
  readonly directions: [TcpDirection, TcpDirection];
  /** When the client end saw the handshake complete. */
  isClientOpen = false;
  /** The client's connect timeout while the handshake is under way; NO_EVENT after. */
  connectTimer: EventHandle = NO_EVENT;

  constructor(options: { id: number; port: string; classId: number; client: Endpoint }) {
    this.id = options.id;
    this.port = options.port;
    this.classId = options.classId;
    this.client = options.client;
    this.directions = [new TcpDirection(this, CLIENT_SIDE), new TcpDirection(this, SERVER_SIDE)];
  }

  endpoint(side: Side): Endpoint | null {
    return side === CLIENT_SIDE ? this.client : this.server;
  }
}

export class Endpoint {
  readonly side: Side;
  readonly node: WorldNode;
  readonly peerNode: WorldNode;
  /** The node incarnation this end belongs to: a restarted process never sees an old end. */
  readonly incarnation: number;
  handler: ConnectionHandler | null;
  connection!: Connection;
  private readonly transport: ConnectionTransport;

  constructor(options: {
    side: Side;
    node: WorldNode;
    peerNode: WorldNode;
    handler: ConnectionHandler | null;
    transport: ConnectionTransport;
  }) {
    this.side = options.side;
    this.node = options.node;
    this.peerNode = options.peerNode;
    this.incarnation = options.node.incarnation;
    this.handler = options.handler;
    this.transport = options.transport;
  }

  /** True once this end may send: the server from accept, the client from onOpen. */
  get isOpen(): boolean {
    const connection = this.connection;
    if (connection.state !== "open" || connection.isGone[this.side]) return false;
    return this.side === SERVER_SIDE || connection.isClientOpen;
  }

  /**
   * Payload bytes this end sent that wait for the peer's acknowledgement in
   * loss recovery (what fills a socket's send buffer while the peer is
   * unreachable). mqsim does not bound it: a sender that keeps a send
   * buffer (SO_SNDBUF) stops writing at its own limit.
   */
  get bufferedBytes(): number {
    return this.connection.directions[this.side].unackedBytes;
  }

  /**
   * Queues `bytes` of payload on the connection; false if this end cannot
   * send. `cpuDelayNs`: the sending thread still has that much CPU to spend
   * before its write() (see Network.sendOnConnection).
   */
  send(payload: unknown, bytes: number, cpuDelayNs = 0): boolean {
    return this.transport.sendOnConnection(this, payload, bytes, cpuDelayNs);
  }

  /**
   * Abortive close (like SO_LINGER 0): what this end has not yet delivered
   * is dropped, and a reset goes to the peer once (resets are not
   * retransmitted: across a partition the peer learns only when its next
   * packet reaches this machine and is answered by another reset).
   */
  close(): void {
    this.transport.closeConnection(this);
  }
}
