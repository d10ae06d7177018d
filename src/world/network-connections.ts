/**
 * The connection side of the network: listeners, the handshake (connect,
 * syn, accept, syn-ack or reset, connect timeout), and every way an end of a
 * connection goes (its application closes it, its process crashes, its
 * machine loses power, a reset arrives, its retransmissions time out), with
 * the close notice its process hears. A partition ends nothing by itself
 * (see connection.ts).
 *
 * Separate from network.ts, which moves packets (NIC queues, latency,
 * delivery in order, datagrams, partitions, byte counts): this file is the
 * TCP-like state machine on top, and touches the packet path only through
 * ConnectionWire — control packets out, process work in.
 */
import { assert } from "../kernel/assert.js";
import { NO_EVENT } from "../kernel/event-queue.js";
import type { Marks } from "../kernel/marks.js";
import type { Scheduler } from "../kernel/scheduler.js";
import type { Trace } from "../kernel/trace.js";
import {
  CLIENT_SIDE,
  Connection,
  Endpoint,
  SERVER_SIDE,
  type Acceptor,
  type CloseReason,
  type ConnectionHandler,
  type ConnectionTransport,
  type Side,
} from "./connection.js";
import type { WorldNode } from "./node.js";
import { closeReasonCode, type CloseNotice, type PacketKind } from "./packet.js";
import type { PartitionTable, TrafficClasses } from "./partition.js";

/** What the connection table needs from the network's packet path; the network builds it once. */
export interface ConnectionWire {
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly marks: Marks;
  readonly partitions: PartitionTable;
  readonly classes: TrafficClasses;
  /** The network itself: what each endpoint sends and closes through. */
  readonly transport: ConnectionTransport;
  readonly connectTimeoutNs: number;
  sendControl(connection: Connection, fromSide: Side, kind: PacketKind): void;
  /** One reset from `fromSide`'s machine to the other end, telling it `reason` (not retransmitted). */
  sendReset(connection: Connection, fromSide: Side, reason: CloseReason): void;
  /** Runs process work for `node` at `atNs` (in this event when that is now and the process runs). */
  atProcess<A>(node: WorldNode, atNs: number, fn: (arg: A) => void, arg: A): void;
  linkName(from: WorldNode, to: WorldNode): string;
  drawLatency(src: number, dst: number): number;
}

export class ConnectionTable {
  private readonly wire: ConnectionWire;
  private readonly listeners = new Map<string, Acceptor>();
  private readonly connections = new Set<Connection>();
  private connectionIdNext = 1;

  // Event handlers bound once: no closure per connection.
  private readonly onAcceptBound = (connection: Connection): void => this.onAccept(connection);
  private readonly onConnectTimeoutBound = (connection: Connection): void => this.onConnectTimeout(connection);
  private readonly onCloseNoticeBound = (notice: CloseNotice): void => this.onCloseNotice(notice);

  constructor(wire: ConnectionWire) {
    this.wire = wire;
  }

  get openCount(): number {
    return this.connections.size;
  }

  // ---------------------------------------------------------------- listen / connect

  listen(node: WorldNode, port: string, acceptor: Acceptor): void {
    assert(node.isProcessAlive, `node ${node.name}: listen while crashed`);
    const key = `${node.index}:${port}`;
    assert(!this.listeners.has(key), `node ${node.name} already listens on ${port}`);
    this.listeners.set(key, acceptor);
  }

  unlisten(node: WorldNode, port: string): void {
    this.listeners.delete(`${node.index}:${port}`);
  }

  /** Every listener of the node's process goes (it crashed or lost power). */
  unlistenAll(node: WorldNode): void {
    const prefix = `${node.index}:`;
    for (const key of [...this.listeners.keys()]) if (key.startsWith(prefix)) this.listeners.delete(key);
  }

  connect(from: WorldNode, to: WorldNode, port: string, trafficClass: string, handler: ConnectionHandler): Endpoint {
    const wire = this.wire;
    assert(from.isUp, `node ${from.name}: connect while ${from.state}`);
    assert(from !== to, `node ${from.name}: connect to itself`);
    const client = new Endpoint({ side: CLIENT_SIDE, node: from, peerNode: to, handler, transport: wire.transport });
    const connection = new Connection({ id: this.connectionIdNext++, port, classId: wire.classes.id(trafficClass), client });
    client.connection = connection;
    this.connections.add(connection);
    wire.trace.record("net.connect", wire.linkName(from, to), connection.id);
    connection.connectTimer = wire.scheduler.after(wire.connectTimeoutNs, this.onConnectTimeoutBound, connection, from.processGroup);
    wire.sendControl(connection, CLIENT_SIDE, "syn");
    return client;
  }

  /** The application closes its end (abortive): the socket is gone, and one reset goes to the peer. */
  close(endpoint: Endpoint): void {
    const connection = endpoint.connection;
    if (connection.isGone[endpoint.side]) return;
    this.wire.trace.record("net.close", this.wire.linkName(endpoint.node, endpoint.peerNode), connection.id);
    const wasHandshaking = connection.state === "connecting";
    this.endGone(connection, endpoint.side);
    // A client that gives up on a handshake sends nothing: no server end exists to reset yet.
    if (!wasHandshaking) this.wire.sendReset(connection, endpoint.side, "closed-by-peer");
  }

  // ---------------------------------------------------------------- handshake (called by the packet path)

  /** A handshake reached the server machine. */
  onSyn(connection: Connection, server: WorldNode): void {
    const acceptor = server.isProcessAlive ? this.listeners.get(`${server.index}:${connection.port}`) : undefined;
    if (acceptor === undefined) {
      // The OS answers a connection to a closed port with a reset.
      this.wire.sendControl(connection, SERVER_SIDE, "rst");
      return;
    }
    // The process accepts when it runs: a paused server accepts after it resumes.
    this.wire.atProcess(server, this.wire.scheduler.now, this.onAcceptBound, connection);
  }

  /** The client process hears the handshake completed. */
  onSynAck(connection: Connection): void {
    connection.isClientOpen = true;
    this.cancelConnectTimer(connection);
    this.wire.trace.record("net.open", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    connection.client.handler?.onOpen?.(connection.client);
  }

  /** The client process hears its connection was refused. */
  onRefused(connection: Connection): void {
    if (connection.isGone[CLIENT_SIDE]) return;
    this.endGone(connection, CLIENT_SIDE);
    this.wire.marks.hit("net.connect.refused");
    this.wire.trace.record("net.refused", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    connection.client.handler?.onClose(connection.client, "refused");
  }

  /** A reset reached an end's machine: its socket is gone; the process hears `reason` when it runs. */
  onReset(connection: Connection, side: Side, reason: CloseReason): void {
    if (connection.isGone[side]) return;
    if (side === CLIENT_SIDE && !connection.isClientOpen) return this.onRefused(connection);
    const endpoint = connection.endpoint(side)!;
    this.wire.marks.hit(`net.connection.${reason}`);
    this.wire.trace.record("net.reset", this.wire.linkName(endpoint.peerNode, endpoint.node), connection.id, closeReasonCode(reason));
    this.endGone(connection, side);
    this.notifyClose(connection, side, reason);
  }

  /** This end's kernel gave up retransmitting (tcp_retries2): the socket is gone, ETIMEDOUT. */
  onRetransmitTimeout(connection: Connection, side: Side): void {
    if (connection.isGone[side]) return;
    const endpoint = connection.endpoint(side)!;
    this.wire.marks.hit("net.connection.timeout");
    this.wire.trace.record("net.timeout", this.wire.linkName(endpoint.node, endpoint.peerNode), connection.id);
    this.endGone(connection, side);
    this.notifyClose(connection, side, "timeout");
  }

  private onAccept(connection: Connection): void {
    if (connection.state !== "connecting" || connection.isGone[CLIENT_SIDE]) return;
    const client = connection.client;
    const acceptor = this.listeners.get(`${client.peerNode.index}:${connection.port}`);
    if (acceptor === undefined) {
      this.wire.sendControl(connection, SERVER_SIDE, "rst");
      return;
    }
    const server = new Endpoint({ side: SERVER_SIDE, node: client.peerNode, peerNode: client.node, handler: null, transport: this.wire.transport });
    server.connection = connection;
    connection.server = server;
    connection.state = "open";
    this.wire.trace.record("net.accept", this.wire.linkName(client.node, client.peerNode), connection.id);
    server.handler = acceptor.accept(server);
    if (connection.state === "open") this.wire.sendControl(connection, SERVER_SIDE, "syn-ack");
  }

  private onConnectTimeout(connection: Connection): void {
    connection.connectTimer = NO_EVENT;
    if (connection.isGone[CLIENT_SIDE] || connection.isClientOpen) return;
    this.wire.marks.hit("net.connect.timeout");
    this.wire.trace.record("net.connect-timeout", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    // The client's socket is gone; a server end that accepted (its syn-ack was lost) stays half-open until it sends.
    this.endGone(connection, CLIENT_SIDE);
    connection.client.handler?.onClose(connection.client, "connect-timeout");
  }

  // ---------------------------------------------------------------- the ends' machines and processes

  /**
   * kill -9: the OS closes the process's sockets and resets each peer (one
   * reset, lost if the path is cut: the peer then learns from the reset that
   * answers its next packet, or from its own timers).
   */
  onProcessCrash(node: WorldNode): void {
    for (const connection of [...this.connections]) {
      const side = this.sideOf(connection, node);
      if (side === null || connection.isGone[side]) continue;
      const wasHandshaking = connection.state === "connecting";
      this.endGone(connection, side);
      if (!wasHandshaking) this.wire.sendReset(connection, side, "reset");
    }
  }

  /** Power loss: the machine goes silent and forgets its sockets; its peers learn only from packets or timers. */
  onPowerLoss(node: WorldNode): void {
    for (const connection of [...this.connections]) {
      const side = this.sideOf(connection, node);
      if (side !== null) this.endGone(connection, side);
    }
  }

  /** An end's socket no longer exists: its retransmissions stop; the connection is closed once both ends are gone. */
  private endGone(connection: Connection, side: Side): void {
    connection.isGone[side] = true;
    const direction = connection.directions[side];
    if (direction.timer !== NO_EVENT) this.wire.scheduler.cancel(direction.timer);
    direction.timer = NO_EVENT;
    direction.clear();
    if (side === CLIENT_SIDE) this.cancelConnectTimer(connection);
    // A server end that was never accepted does not exist: the client's end is the whole connection.
    if (connection.server === null) connection.isGone[SERVER_SIDE] = true;
    if (connection.isGone[CLIENT_SIDE] && connection.isGone[SERVER_SIDE]) {
      connection.state = "closed";
      this.connections.delete(connection);
    }
  }

  /** The handshake ended (opened or failed): its timeout would fire only to find nothing to do. */
  private cancelConnectTimer(connection: Connection): void {
    if (connection.connectTimer === NO_EVENT) return;
    this.wire.scheduler.cancel(connection.connectTimer);
    connection.connectTimer = NO_EVENT;
  }

  /** The end's process hears of the close when it runs; only the incarnation that owns the end. */
  private notifyClose(connection: Connection, side: Side, reason: CloseReason): void {
    const endpoint = connection.endpoint(side);
    if (endpoint === null || endpoint.handler === null) return;
    const node = endpoint.node;
    if (!node.isProcessAlive || node.incarnation !== endpoint.incarnation) return;
    this.wire.atProcess(node, this.wire.scheduler.now, this.onCloseNoticeBound, { endpoint, reason });
  }

  private onCloseNotice(notice: CloseNotice): void {
    const { endpoint, reason } = notice;
    if (!endpoint.node.isProcessAlive || endpoint.node.incarnation !== endpoint.incarnation) return;
    this.wire.trace.record("net.closed", this.wire.linkName(endpoint.node, endpoint.peerNode), endpoint.connection.id, closeReasonCode(reason));
    endpoint.handler!.onClose(endpoint, reason);
  }

  private sideOf(connection: Connection, node: WorldNode): Side | null {
    if (connection.client.node === node) return CLIENT_SIDE;
    if (connection.client.peerNode === node) return SERVER_SIDE;
    return null;
  }
}
