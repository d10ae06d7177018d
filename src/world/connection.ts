/**
 * TCP-like connections: ordered, reliable byte streams between two node
 * processes, which break (and lose what is in flight) on a partition or when
 * a peer goes down. Each end is told after a delay that depends on how it
 * broke: a crashed peer process's OS answers with a reset at once; a silent
 * peer (power loss, partition) is noticed only after a timeout.
 */
import { NO_EVENT, type EventHandle } from "../kernel/event-queue.js";
import type { WorldNode } from "./node.js";

export type CloseReason =
  /** Nothing listens on that port (or the process is down): the peer's OS sent a reset. */
  | "refused"
  /** The handshake got no answer (peer machine off, or the path is cut). */
  | "connect-timeout"
  /** The peer process crashed; its OS reset the connection. */
  | "reset"
  /** The peer went silent (power loss, partition) and the break was detected by timeout. */
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
  sendOnConnection(endpoint: Endpoint, payload: unknown, bytes: number): boolean;
  closeConnection(endpoint: Endpoint): void;
}

export const CLIENT_SIDE = 0;
export const SERVER_SIDE = 1;
export type Side = typeof CLIENT_SIDE | typeof SERVER_SIDE;

export class Connection {
  readonly id: number;
  readonly port: string;
  readonly classId: number;
  state: ConnectionState = "connecting";
  readonly client: Endpoint;
  /** Set when the server process accepts. */
  server: Endpoint | null = null;
  /** Latest arrival time per direction, indexed by the sending side: keeps each direction in order. */
  readonly lastArrivalNs: [number, number] = [0, 0];
  /** When the client end saw the handshake complete. */
  isClientOpen = false;
  /** The client's connect timeout while the handshake is under way; NO_EVENT after. */
  connectTimer: EventHandle = NO_EVENT;

  constructor(options: { id: number; port: string; classId: number; client: Endpoint }) {
    this.id = options.id;
    this.port = options.port;
    this.classId = options.classId;
    this.client = options.client;
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
    if (connection.state !== "open") return false;
    return this.side === SERVER_SIDE || connection.isClientOpen;
  }

  /** Queues `bytes` of payload on the connection; false if this end cannot send. */
  send(payload: unknown, bytes: number): boolean {
    return this.transport.sendOnConnection(this, payload, bytes);
  }

  /** Abortive close (like SO_LINGER 0): data in flight either way is dropped; the peer is told. */
  close(): void {
    this.transport.closeConnection(this);
  }
}
