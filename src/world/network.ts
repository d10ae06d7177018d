/**
 * The network: a NIC per node, links between every pair, connections and
 * datagrams, partitions, and byte accounting.
 *
 * Timing of one packet of N wire bytes from a to b:
 *   depart  = max(now, a.egressFreeAt) + N / a.egressBandwidth   (FIFO egress queue)
 *   arrive  = depart + latency(a->b)                              (propagation, drawn per packet)
 *   deliver = max(arrive, b.ingressFreeAt + N / b.ingressBandwidth)
 * The last line is the receiving switch port: when many senders converge on
 * one node, its port is the bottleneck and packets queue there. On a quiet
 * path deliver = arrive = L + N/B exactly. Within a connection each direction
 * is kept in order (TCP), so a later packet never overtakes an earlier one.
 *
 * Payloads are opaque: the network moves sizes and references, never bytes.
 * Listeners, handshakes and how connections end are network-connections.ts;
 * the retransmission timer is tcp-retransmission.ts; datagram ports and
 * faults are network-datagrams.ts; this file is the packet path they ride on.
 */
import { assert } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import type { Rng } from "../kernel/rng.js";
import { ROOT_GROUP, type Scheduler } from "../kernel/scheduler.js";
import { TraceName, type Trace } from "../kernel/trace.js";
import {
  CLIENT_SIDE,
  SERVER_SIDE,
  type Acceptor,
  type CloseReason,
  type Connection,
  type ConnectionHandler,
  type ConnectionTransport,
  type Endpoint,
  type Side,
} from "./connection.js";
import { ConnectionTable } from "./network-connections.js";
import { DatagramPorts, type DatagramHandler } from "./network-datagrams.js";
import { TcpRetransmission } from "./tcp-retransmission.js";
import type { WorldNode } from "./node.js";
export {
  DEFAULT_NETWORK_OPTIONS,
  ETHERNET_FRAMING,
  type DatagramFaults,
  type FramingSpec,
  type NetworkOptions,
  type NicSpec,
  type Ratio,
  type TcpOptions,
  LINUX_TCP,
} from "./network-options.js";
import { PartitionTable, TrafficClasses, type PartitionSpec } from "./partition.js";
import { TrafficCounters, type LinkTraffic } from "./traffic-counters.js";
import { LinkLatencies } from "./link-latencies.js";
import {
  DEFAULT_NETWORK_OPTIONS,
  type DatagramFaults,
  type NetworkOptions,
} from "./network-options.js";
import { Nics } from "./nics.js";
import { newPacket, wireBytesOf, type Packet, type PacketKind } from "./packet.js";

// Kinds recorded for every packet, fingerprinted once (see TraceName).
const NET_SEND = new TraceName("net.send");

export type { DatagramHandler } from "./network-datagrams.js";


export class Network implements ConnectionTransport {
  readonly classes = new TrafficClasses();
  readonly partitions: PartitionTable;
  readonly counters: TrafficCounters;
  private readonly scheduler: Scheduler;
  private readonly rng: Rng;
  private readonly trace: Trace;
  private readonly marks: Marks;
  private readonly nodes: readonly WorldNode[];
  private readonly options: NetworkOptions;
  private readonly nics: Nics;
  private readonly latencies: LinkLatencies;
  /** "a->b" for every ordered pair, built once: trace subjects without a string per packet. */
  private readonly linkNames: string[];
  /** The same names, fingerprinted for the per-packet trace records. */
  private readonly linkTraceNames: TraceName[];
  private readonly connections: ConnectionTable;
  private readonly datagrams: DatagramPorts;
  private readonly retransmission: TcpRetransmission;
  private partitionIdNext = 1;

  // Event handlers bound once: no closure per packet.
  private readonly onArrivalBound = (packet: Packet): void => this.onArrival(packet);
  private readonly onDeliverBound = (packet: Packet): void => this.onDeliver(packet);

  constructor(options: {
    scheduler: Scheduler;
    rng: Rng;
    trace: Trace;
    marks: Marks;
    nodes: readonly WorldNode[];
    network?: Partial<NetworkOptions>;
  }) {
    this.scheduler = options.scheduler;
    this.rng = options.rng;
    this.trace = options.trace;
    this.marks = options.marks;
    this.nodes = options.nodes;
    this.options = { ...DEFAULT_NETWORK_OPTIONS, ...options.network };
    const n = this.nodes.length;
    this.partitions = new PartitionTable({ nodeCount: n, indexOf: (name) => this.indexOf(name), classes: this.classes });
    this.counters = new TrafficCounters(n);
    this.nics = new Nics(this.nodes, (node) => this.options.nicByNode?.[node.name] ?? this.options.nic);
    const overrides = (this.options.links ?? []).map((link) => ({ from: this.indexOf(link.from), to: this.indexOf(link.to), latency: link.latency }));
    this.linkNames = [];
    for (const from of this.nodes) for (const to of this.nodes) this.linkNames.push(`${from.name}->${to.name}`);
    this.linkTraceNames = this.linkNames.map((name) => new TraceName(name));
    this.latencies = new LinkLatencies(this.nodes, this.rng, this.options.latency, overrides);
    this.retransmission = new TcpRetransmission(this.scheduler, this.marks, this.options.tcp, {
      transmit: (packet, fromSide) => this.transmit(packet, fromSide),
      giveUp: (direction) => this.connections.onRetransmitTimeout(direction.connection, direction.fromSide),
    });
    this.datagrams = new DatagramPorts(this.options.datagram, this.rng.stream("net:datagram-faults"), this.marks);
    this.connections = new ConnectionTable({
      scheduler: this.scheduler,
      trace: this.trace,
      marks: this.marks,
      partitions: this.partitions,
      classes: this.classes,
      transport: this,
      connectTimeoutNs: this.options.connectTimeoutNs,
      sendControl: (connection, fromSide, kind) => this.sendControl(connection, fromSide, kind, null),
      sendReset: (connection, fromSide, reason) => this.sendControl(connection, fromSide, "rst", reason),
      atProcess: (node, atNs, fn, arg) => this.atProcess(node, atNs, fn, arg),
      linkName: (from, to) => this.linkName(from, to),
      drawLatency: (src, dst) => this.drawLatency(src, dst),
    });
  }

  classId(name: string): number {
    return this.classes.id(name);
  }

  // ---------------------------------------------------------------- listen / connect

  /** The node's process listens on `port`; the listener dies with the process. */
  listen(node: WorldNode, port: string, acceptor: Acceptor): void {
    this.connections.listen(node, port, acceptor);
  }

  unlisten(node: WorldNode, port: string): void {
    this.connections.unlisten(node, port);
  }

  /** Opens a connection; the handler hears onOpen, or onClose("refused" | "connect-timeout"). */
  connect(from: WorldNode, to: WorldNode, port: string, trafficClass: string, handler: ConnectionHandler): Endpoint {
    return this.connections.connect(from, to, port, trafficClass, handler);
  }

  // ---------------------------------------------------------------- connection data path

  /**
   * Sends on a connection. `cpuDelayNs` is CPU the sending thread spends
   * before its write() (a replica fetcher appending the last response before
   * it asks for more): the segment arrives that much later, while its NIC
   * time is booked now. That saves the thread an event of its own per
   * request; the cost is that a NIC busy at this moment delays the segment
   * by its backlog plus cpuDelayNs where a real one would overlap the two
   * (small segments, a few microseconds of CPU). Retransmissions go without it.
   */
  sendOnConnection(endpoint: Endpoint, payload: unknown, bytes: number, cpuDelayNs = 0): boolean {
    if (!(Number.isSafeInteger(cpuDelayNs) && cpuDelayNs >= 0)) assert(false, `send after ${cpuDelayNs} ns of CPU`);
    if (!(Number.isSafeInteger(bytes) && bytes >= 0)) assert(false, `send of ${bytes} bytes`);
    if (!endpoint.isOpen) return false;
    if (!(endpoint.node.isUp)) assert(false, `node ${endpoint.node.name}: send while ${endpoint.node.state}`);
    const connection = endpoint.connection;
    const toSide: Side = endpoint.side === CLIENT_SIDE ? SERVER_SIDE : CLIENT_SIDE;
    const packet = this.makePacket("data", connection, toSide, endpoint.node.index, endpoint.peerNode.index, payload, bytes);
    const direction = connection.directions[endpoint.side];
    packet.seq = direction.seqNext++;
    // In loss recovery the window is one segment: new data waits behind the retransmission.
    if (direction.isRecovering) direction.hold(packet);
    else this.transmit(packet, endpoint.side, cpuDelayNs);
    return true;
  }

  closeConnection(endpoint: Endpoint): void {
    this.connections.close(endpoint);
  }

  // ---------------------------------------------------------------- datagrams

  bindDatagram(node: WorldNode, port: string, handler: DatagramHandler): void {
    this.datagrams.bind(node, port, handler);
  }

  setDatagramFaults(faults: DatagramFaults | null): void {
    this.datagrams.setFaults(faults);
  }

  /** Fire and forget: may be lost, duplicated or reordered (see DatagramFaults), never reported. */
  sendDatagram(from: WorldNode, to: WorldNode, port: string, trafficClass: string, payload: unknown, bytes: number): void {
    assert(from.isUp, `node ${from.name}: datagram sent while ${from.state}`);
    const packet = this.makePacket("data", null, SERVER_SIDE, from.index, to.index, payload, bytes);
    packet.classId = this.classes.id(trafficClass);
    packet.port = port;
    const departNs = this.occupyEgress(packet);
    if (this.partitions.isCut(packet.src, packet.dst, packet.classId) || this.datagrams.isLost()) {
      this.dropPacket(packet, "net.datagram.lost");
      return;
    }
    this.launch(packet, departNs, this.datagrams.extraDelayNs());
    if (this.datagrams.isDuplicated()) this.launch({ ...packet }, departNs, this.datagrams.extraDelayNs());
  }

  // ---------------------------------------------------------------- partitions

  /**
   * Applies a partition; returns its name (for heal). Connections across it
   * stay open: what they send is retransmitted until the heal or until the
   * sender's kernel gives up (see connection.ts).
   */
  partition(spec: PartitionSpec, name?: string): string {
    const partitionName = name ?? `partition-${this.partitionIdNext++}`;
    this.partitions.add(partitionName, spec);
    this.trace.record("net.partition", partitionName, this.partitions.activeNames().length);
    this.marks.hit(`net.partition.${spec.kind}`);
    return partitionName;
  }

  /** Heals one named partition, or all of them. */
  heal(name?: string): number {
    const healed = this.partitions.heal(name);
    this.trace.record("net.heal", name ?? "*", healed);
    return healed;
  }

  // ---------------------------------------------------------------- node lifecycle (called by World)

  /** kill -9: listeners and bindings vanish; the OS resets the process's connections. */
  onProcessCrash(node: WorldNode): void {
    this.dropPortsOf(node);
    this.connections.onProcessCrash(node);
  }

  /** Power loss: the machine goes silent; peers notice only by timeout. The NIC queues empty. */
  onPowerLoss(node: WorldNode, wasProcessAlive: boolean): void {
    if (wasProcessAlive) this.dropPortsOf(node);
    this.nics.reset(node.index, this.scheduler.now);
    this.connections.onPowerLoss(node);
  }

  // ---------------------------------------------------------------- accounting

  links(): LinkTraffic[] {
    return this.counters.links(
      (index) => this.nodes[index]!.name,
      (id) => this.classes.name(id),
    );
  }

  /** Bytes sent from one node to another in one class so far (by node name). */
  bytesSent(from: string, to: string, trafficClass: string): number {
    return this.counters.bytesSent(this.indexOf(from), this.indexOf(to), this.classes.id(trafficClass));
  }

  /** Bytes waiting in a node's egress queue, as time to drain (for backpressure decisions). */
  egressBacklogNs(node: WorldNode): number {
    return this.nics.egressBacklogNs(node.index, this.scheduler.now);
  }

  /** The node's NIC busy time so far, each direction (bits on the wire, not bytes queued). */
  nicBusyNs(node: WorldNode): { egressBusyNs: number; ingressBusyNs: number } {
    const now = this.scheduler.now;
    return { egressBusyNs: this.nics.egressBusyNs(node.index, now), ingressBusyNs: this.nics.ingressBusyNs(node.index, now) };
  }

  openConnectionCount(): number {
    return this.connections.openCount;
  }

  /** Wire bytes for a payload, framing included. */
  wireBytes(payloadBytes: number): number {
    return wireBytesOf(payloadBytes, this.options.framing);
  }

  // ---------------------------------------------------------------- internals

  private makePacket(kind: PacketKind, connection: Connection | null, toSide: Side, src: number, dst: number, payload: unknown, payloadBytes: number): Packet {
    return newPacket(kind, connection, toSide, src, dst, payload, payloadBytes, kind === "data" ? this.wireBytes(payloadBytes) : 0);
  }

  /** Serialises a packet on the sender's NIC and counts its bytes; returns its departure time. */
  private occupyEgress(packet: Packet): number {
    const now = this.scheduler.now;
    if (packet.wireBytes === 0) return now;
    const src = packet.src;
    const departNs = this.nics.depart(src, packet.wireBytes, now);
    this.counters.countSent(src, packet.dst, packet.classId, packet.wireBytes);
    return departNs;
  }

  private transmit(packet: Packet, fromSide: Side, cpuDelayNs = 0): void {
    const departNs = this.occupyEgress(packet);
    const connection = packet.connection!;
    const direction = connection.directions[fromSide];
    let arrivalNs = departNs + cpuDelayNs + this.drawLatency(packet.src, packet.dst);
    // TCP delivers in order: a packet never overtakes an earlier one on its connection.
    arrivalNs = Math.max(arrivalNs, direction.lastArrivalNs);
    direction.lastArrivalNs = arrivalNs;
    if (packet.kind === "data") this.trace.recordNamed(NET_SEND, this.linkTraceNames[packet.src * this.nodes.length + packet.dst]!, connection.id, packet.payloadBytes, arrivalNs);
    this.scheduler.at(arrivalNs, this.onArrivalBound, packet, ROOT_GROUP);
  }

  private launch(packet: Packet, departNs: number, extraDelayNs: number): void {
    const arrivalNs = departNs + this.drawLatency(packet.src, packet.dst) + extraDelayNs;
    this.trace.record("net.datagram.send", this.linkNames[packet.src * this.nodes.length + packet.dst]!, packet.payloadBytes, arrivalNs);
    this.scheduler.at(arrivalNs, this.onArrivalBound, packet, ROOT_GROUP);
  }

  /** A control packet (handshake or reset; a reset's payload is the reason its receiver hears, null for a refusal). */
  private sendControl(connection: Connection, fromSide: Side, kind: PacketKind, payload: CloseReason | null): void {
    const from = fromSide === CLIENT_SIDE ? connection.client.node : connection.client.peerNode;
    const to = fromSide === CLIENT_SIDE ? connection.client.peerNode : connection.client.node;
    const toSide: Side = fromSide === CLIENT_SIDE ? SERVER_SIDE : CLIENT_SIDE;
    this.transmit(this.makePacket(kind, connection, toSide, from.index, to.index, payload, 0), fromSide);
  }

  /** The packet reaches the receiving node's switch port (machine level). */
  private onArrival(packet: Packet): void {
    const connection = packet.connection;
    if (connection !== null && packet.kind === "data") return this.onSegmentArrival(packet, connection);
    const dst = this.nodes[packet.dst]!;
    if (!dst.isMachineUp || this.partitions.isCut(packet.src, packet.dst, packet.classId)) {
      // A handshake into the void is answered by the client's connect timeout; a lost reset is not resent.
      return this.dropPacket(packet, "net.drop.unreachable");
    }
    if (connection !== null) {
      if (packet.kind === "syn") return this.connections.onSyn(connection, dst);
      if (packet.kind === "rst" && packet.payload !== null) return this.connections.onReset(connection, packet.toSide, packet.payload as CloseReason);
      if (connection.isGone[packet.toSide]) {
        this.dropPacket(packet, "net.drop.closed");
        // A client that gave up on the handshake: its OS resets the server's half-open end.
        if (packet.kind === "syn-ack") this.sendControl(connection, packet.toSide, "rst", "reset");
        return;
      }
    }
    if (!dst.isProcessAlive) return this.dropPacket(packet, "net.drop.process-down");
    this.atProcess(dst, this.scheduler.now, this.onDeliverBound, packet);
  }

  /**
   * A data segment reaches the receiving machine. It is lost if the path is
   * cut or the machine is off (the sender will retransmit it); answered
   * with a reset if its socket there is gone; set aside if an earlier
   * segment is missing; else taken, acknowledged (unless the way back is
   * cut) and handed to the process after the receiving port.
   */
  private onSegmentArrival(packet: Packet, connection: Connection): void {
    const fromSide: Side = packet.toSide === SERVER_SIDE ? CLIENT_SIDE : SERVER_SIDE;
    // The sender's socket is gone (it closed or died after sending): nothing owns this segment any more.
    if (connection.isGone[fromSide]) return this.dropPacket(packet, "net.drop.closed");
    const dst = this.nodes[packet.dst]!;
    const direction = connection.directions[fromSide];
    if (!dst.isMachineUp || this.partitions.isCut(packet.src, packet.dst, packet.classId)) {
      this.dropPacket(packet, "net.drop.unreachable");
      return this.retransmission.lost(direction, packet);
    }
    if (connection.isGone[packet.toSide]) {
      // No socket for it here: the OS answers with a reset. Until one gets back the sender retransmits, and each retransmission draws another.
      this.dropPacket(packet, "net.drop.closed");
      this.sendControl(connection, packet.toSide, "rst", "reset");
      return this.retransmission.lost(direction, packet);
    }
    if (packet.seq !== direction.deliverNext) {
      // A duplicate of something delivered is acknowledged again; one after a gap waits for its retransmission.
      if (packet.seq > direction.deliverNext) return this.retransmission.lost(direction, packet);
      this.marks.hit("net.tcp.duplicate");
      if (this.partitions.isCut(packet.dst, packet.src, packet.classId)) return this.retransmission.lost(direction, packet);
      return this.retransmission.acknowledged(direction);
    }
    direction.deliverNext++;
    if (this.partitions.isCut(packet.dst, packet.src, packet.classId)) {
      // Delivered, but the acknowledgement cannot get back: the sender will retransmit it.
      this.marks.hit("net.tcp.ack-lost");
      this.retransmission.lost(direction, packet);
    } else if (direction.isRecovering) {
      this.retransmission.acknowledged(direction);
    }
    const deliverNs = packet.wireBytes > 0 ? this.nics.receive(dst.index, packet.wireBytes, this.scheduler.now) : this.scheduler.now;
    this.atProcess(dst, deliverNs, this.onDeliverBound, packet);
  }

  /**
   * Runs process work for `node` at `atNs`. When that is now and the process
   * is running, the work is done in this event rather than in a zero-delay
   * event of its own: the same instant, the same incarnation (checked by the
   * caller), one event fewer per packet on a quiet path. A paused process
   * still gets an event, which its suspended group holds until resume.
   */
  private atProcess<A>(node: WorldNode, atNs: number, fn: (arg: A) => void, arg: A): void {
    if (atNs === this.scheduler.now && !this.scheduler.isSuspended(node.processGroup)) fn(arg);
    else this.scheduler.at(atNs, fn, arg, node.processGroup);
  }

  /** The packet reaches the receiving process. */
  private onDeliver(packet: Packet): void {
    const connection = packet.connection;
    if (connection === null) return this.deliverDatagram(packet);
    // The receiving socket went (closed, or its process died) while the packet crossed the port.
    if (connection.isGone[packet.toSide]) return this.dropPacket(packet, "net.drop.closed");
    switch (packet.kind) {
      case "data": {
        const endpoint = connection.endpoint(packet.toSide)!;
        // No trace record: net.send already holds the link, connection, size and arrival time, and the
        // digest has this event's time; a second record per packet was a tenth of a run's digest work.
        endpoint.handler!.onData(endpoint, packet.payload, packet.payloadBytes);
        return;
      }
      case "syn-ack":
        return this.connections.onSynAck(connection);
      case "rst":
        return this.connections.onRefused(connection);
      case "syn":
        assert(false, "a handshake packet was delivered to a process");
    }
  }

  private deliverDatagram(packet: Packet): void {
    const dst = this.nodes[packet.dst]!;
    const handler = this.datagrams.handlerAt(dst.index, packet.port);
    if (handler === undefined) return this.dropPacket(packet, "net.drop.unbound");
    this.trace.record("net.datagram.deliver", this.linkName(this.nodes[packet.src]!, dst), packet.payloadBytes);
    handler.onDatagram(dst, this.nodes[packet.src]!, packet.payload, packet.payloadBytes);
  }

  private dropPortsOf(node: WorldNode): void {
    this.connections.unlistenAll(node);
    this.datagrams.unbindAll(node);
  }

  private dropPacket(packet: Packet, why: string): void {
    this.counters.countDropped(packet.wireBytes);
    this.marks.hit(why);
    this.trace.record(why, this.linkNames[packet.src * this.nodes.length + packet.dst]!, packet.connection?.id ?? 0, packet.payloadBytes);
  }

  private linkName(from: WorldNode, to: WorldNode): string {
    return this.linkNames[from.index * this.nodes.length + to.index]!;
  }

  private drawLatency(src: number, dst: number): number {
    return this.latencies.draw(src, dst);
  }

  private indexOf(name: string): number {
    const node = this.nodes.find((candidate) => candidate.name === name);
    if (node === undefined) throw new Error(`unknown node "${name}" (known: ${this.nodes.map((n) => n.name).join(", ")})`);
    return node.index;
  }
}
