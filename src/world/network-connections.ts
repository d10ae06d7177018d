/**
 * The connection side of the network: listeners, the handshake (connect,
 * syn, accept, syn-ack or reset, connect timeout), and every way a
 * connection ends (a close, a partition, a process crash, a power loss), with
 * the close notice each end hears and when.
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
  readonly breakDetectNs: number;
  sendControl(connection: Connection, fromSide: Side, kind: PacketKind): void;
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

  close(endpoint: Endpoint): void {
    const wire = this.wire;
    const connection = endpoint.connection;
    if (connection.state === "closed") return;
    wire.trace.record("net.close", wire.linkName(endpoint.node, endpoint.peerNode), connection.id);
    const peerSide: Side = endpoint.side === CLIENT_SIDE ? SERVER_SIDE : CLIENT_SIDE;
    this.finish(connection);
    // The FIN travels like any packet; if the path is cut the peer notices by timeout instead.
    const latency = wire.drawLatency(endpoint.node.index, endpoint.peerNode.index);
    if (wire.partitions.isCut(endpoint.node.index, endpoint.peerNode.index, connection.classId)) {
      this.notifyClose(connection, peerSide, "timeout", wire.breakDetectNs);
    } else {
      this.notifyClose(connection, peerSide, "closed-by-peer", latency);
    }
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
  onRst(connection: Connection): void {
    this.finish(connection);
    this.wire.marks.hit("net.connect.refused");
    this.wire.trace.record("net.refused", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    connection.client.handler?.onClose(connection.client, "refused");
  }

  private onAccept(connection: Connection): void {
    if (connection.state !== "connecting") return;
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
    if (connection.state === "closed" || connection.isClientOpen) return;
    this.wire.marks.hit("net.connect.timeout");
    this.wire.trace.record("net.connect-timeout", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    const server = connection.server;
    this.finish(connection);
    if (server !== null) this.notifyClose(connection, SERVER_SIDE, "timeout", this.wire.breakDetectNs);
    connection.client.handler?.onClose(connection.client, "connect-timeout");
  }

  // ---------------------------------------------------------------- breaks

  /** A partition was applied: every connection across it breaks. */
  breakCut(): void {
    for (const connection of [...this.connections]) {
      const client = connection.client;
      if (this.wire.partitions.isCutEitherWay(client.node.index, client.peerNode.index, connection.classId)) {
        this.breakConnection(connection, "timeout", "timeout");
      }
    }
  }

  /** kill -9: the OS resets the process's connections (peers across a cut notice by timeout). */
  onProcessCrash(node: WorldNode): void {
    for (const connection of [...this.connections]) {
      const side = this.sideOf(connection, node);
      if (side === null) continue;
      const peer = side === CLIENT_SIDE ? connection.client.peerNode : connection.client.node;
      const cut = this.wire.partitions.isCut(node.index, peer.index, connection.classId);
      this.breakConnectionFrom(connection, side, cut ? "timeout" : "reset", cut ? this.wire.breakDetectNs : this.wire.drawLatency(node.index, peer.index));
    }
  }

  /** Power loss: the machine goes silent; peers notice only by timeout. */
  onPowerLoss(node: WorldNode): void {
    for (const connection of [...this.connections]) {
      const side = this.sideOf(connection, node);
      if (side !== null) this.breakConnectionFrom(connection, side, "timeout", this.wire.breakDetectNs);
    }
  }

  private breakConnection(connection: Connection, clientReason: CloseReason, serverReason: CloseReason): void {
    this.finish(connection);
    this.wire.marks.hit("net.connection.broken");
    this.wire.trace.record("net.break", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    const delay = this.wire.breakDetectNs;
    this.notifyClose(connection, CLIENT_SIDE, connection.isClientOpen ? clientReason : "connect-timeout", delay);
    this.notifyClose(connection, SERVER_SIDE, serverReason, delay);
  }

  /** One side went down: it hears nothing; the other side is told after `delayNs`. */
  private breakConnectionFrom(connection: Connection, downSide: Side, peerReason: CloseReason, delayNs: number): void {
    this.finish(connection);
    this.wire.marks.hit("net.connection.broken");
    this.wire.trace.record("net.break", this.wire.linkName(connection.client.node, connection.client.peerNode), connection.id);
    const peerSide: Side = downSide === CLIENT_SIDE ? SERVER_SIDE : CLIENT_SIDE;
    const reason = peerSide === CLIENT_SIDE && !connection.isClientOpen ? (peerReason === "reset" ? "refused" : "connect-timeout") : peerReason;
    this.notifyClose(connection, peerSide, reason, delayNs);
  }

  private finish(connection: Connection): void {
    connection.state = "closed";
    this.connections.delete(connection);
    this.cancelConnectTimer(connection);
  }

  /** The handshake ended (opened or failed): its timeout would fire only to find nothing to do. */
  private cancelConnectTimer(connection: Connection): void {
    if (connection.connectTimer === NO_EVENT) return;
    this.wire.scheduler.cancel(connection.connectTimer);
    connection.connectTimer = NO_EVENT;
  }

  private notifyClose(connection: Connection, side: Side, reason: CloseReason, delayNs: number): void {
    const endpoint = connection.endpoint(side);
    if (endpoint === null || endpoint.handler === null) return;
    const node = endpoint.node;
    // Only the incarnation that owns this end may hear about it.
    if (!node.isProcessAlive || node.incarnation !== endpoint.incarnation) return;
    this.wire.scheduler.after(delayNs, this.onCloseNoticeBound, { endpoint, reason }, node.processGroup);
  }

  private onCloseNotice(notice: CloseNotice): void {
    const { endpoint, reason } = notice;
    this.wire.trace.record("net.closed", this.wire.linkName(endpoint.node, endpoint.peerNode), endpoint.connection.id, closeReasonCode(reason));
    endpoint.handler!.onClose(endpoint, reason);
  }

  private sideOf(connection: Connection, node: WorldNode): Side | null {
    if (connection.client.node === node) return CLIENT_SIDE;
    if (connection.client.peerNode === node) return SERVER_SIDE;
    return null;
  }
}
