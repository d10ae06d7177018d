/**
 * One RabbitMQ node. At every start it loads its copy of the cluster
 * metadata, connects to its peers (Erlang distribution), waits to hear the
 * cluster's current records (as a restarting node waits for its Mnesia
 * tables), then starts its queue processes and accepts AMQP clients.
 *
 * Inter-node traffic goes over one link per ordered pair of nodes, counted
 * in the "cluster" traffic class: forwarded publishes and deliveries, mirror
 * replication, Raft, records.
 *
 * How it reacts to peers going down and up, and `cluster_partition_handling`
 * (ignore, pause_minority, autoheal), is node-monitor.ts.
 */
import type { ClusterLog } from "../../world/cluster-log.js";
import type { Kernel } from "../../kernel/index.js";
import type { RngStream } from "../../kernel/index.js";
import type { Trace } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { RabbitMqConfig } from "./config.js";
import type { ClusterPlan } from "./cluster-plan.js";
import { initialRecords } from "./cluster-plan.js";
import { Channel } from "./channel.js";
import { DIST_PORT, NodeLink } from "./node-link.js";
import { nodeMessageBytes, serverFrameBytes, type ClientFrame, type NodeMessage, type ServerFrame } from "./protocol.js";
import { HEARTBEATS_PER_TIMEOUT, TickMonitor } from "../../world/tick-monitor.js";
import { isNewerRecord, type QueueRecord } from "./queue-record.js";
import { QueueRecordTable } from "./queue-record-table.js";
import type { QueueHost } from "./queue-host.js";
import { QueueRoles } from "./queue-roles.js";
import { BrokerRouter } from "./broker-router.js";
import { NodeMonitor } from "./node-monitor.js";
import type { RabbitCpuCosts } from "./cpu-costs.js";
import { ErlangSchedulers } from "./erlang-schedulers.js";
import { NodeAlarms } from "./node-alarms.js";

export const AMQP_PORT = "amqp";
/** How long a starting node waits for a peer's records before it starts on its own copy. */
export const BOOT_WAIT_NS = 5_000_000_000;

/** One promotion of a classic mirror to master, for reports and anomaly judges. */
export interface MirrorPromotion {
  queue: string;
  node: string;
  atNs: number;
  isSynced: boolean;
  /** When the promoted mirror had started, empty (it lacked everything older unless synchronised). */
  mirrorStartedAtNs: number;
}

interface LocalDelivery {
  from: string;
  message: NodeMessage;
}

export class RabbitBroker implements NodeSoftware, QueueHost {
  readonly trace: Trace;
  readonly clusterLog: ClusterLog;
  readonly config: RabbitMqConfig;
  readonly cpu: RabbitCpuCosts;
  readonly clusterNodes: readonly string[];
  node!: WorldNode;
  /** This incarnation's Erlang schedulers (a restart starts a new VM). */
  schedulers!: ErlangSchedulers;
  disk!: Disk;
  private links = new Map<string, NodeLink>();
  /** Each peer's connection to this node (its NodeLink's other end): dropped with it at nodedown. */
  private readonly incoming = new Map<string, Endpoint>();
  private readonly records = new QueueRecordTable();
  roles!: QueueRoles;
  router!: BrokerRouter;
  readonly channels = new Map<number, Channel>();
  /** Every promotion this node made, across restarts, oldest first. */
  readonly promotions: MirrorPromotion[] = [];
  private channelNext = 1;
  private isReady = false;
  private isAppRunning = false;
  /** Its reactions to peers going down and up, and what it knows of them (node-monitor.ts). */
  private readonly monitor: NodeMonitor;
  /** Memory and disk alarms: this node's monitors and the cluster's alarms as it knows them (node-alarms.ts). */
  alarms!: NodeAlarms;
  private readonly deliverLocalBound = (delivery: LocalDelivery): void => this.dispatch(delivery.from, delivery.message);

  constructor(
    private readonly world: World,
    private readonly kernel: Kernel,
    readonly plan: ClusterPlan,
  ) {
    this.trace = kernel.trace;
    this.clusterLog = world.clusterLog;
    this.config = plan.config;
    this.cpu = plan.cpu;
    this.clusterNodes = plan.nodes;
    this.monitor = new NodeMonitor({
      config: this.config,
      trace: this.trace,
      clusterLog: this.clusterLog,
      clusterNodes: this.clusterNodes,
      nodeName: () => this.node.name,
      isReady: () => this.isReady,
      isAppRunning: () => this.isAppRunning,
      upNodes: () => this.upNodes(),
      incarnationOf: (peer) => this.world.node(peer).incarnation,
      tell: (peer, message) => this.links.get(peer)!.send(message),
      greet: (peer) => this.greet(peer),
      forget: (peer) => this.forget(peer),
      startApp: () => this.startApp(),
      stopApp: (reason) => this.stopApp(reason),
      roles: () => this.roles,
      mark: (name) => this.mark(name),
    });
  }

  // ------------------------------------------------------------------ lifecycle

  start(node: WorldNode): void {
    this.node = node;
    this.disk = this.world.disk(node.name);
    this.schedulers = new ErlangSchedulers(node, this.plan.cores);
    this.alarms = new NodeAlarms({
      node,
      disk: this.disk,
      config: this.config,
      trace: this.trace,
      schedulers: this.schedulers,
      memoryBytes: this.plan.memoryBytes,
      quorumMembers: () => this.roles.quorum.values(),
      tellPeers: (resource, isOn) => {
        for (const peer of this.clusterNodes) if (peer !== this.node.name) this.links.get(peer)?.send({ kind: "alarm", resource, isOn });
      },
      mark: (name) => this.mark(name),
      onUnblocked: () => {
        for (const channel of this.channels.values()) channel.pump();
      },
    });
    this.channels.clear();
    this.monitor.reset();
    this.isReady = false;
    this.isAppRunning = false;
    this.records.load(this.disk, initialRecords(this.plan));
    this.roles = new QueueRoles(this, this.plan);
    this.router = new BrokerRouter(this, this.plan);
    this.incoming.clear();
    this.world.net.listen(node, DIST_PORT, {
      accept: (endpoint) => {
        const peer = endpoint.peerNode.name;
        this.incoming.get(peer)?.close();
        this.incoming.set(peer, endpoint);
        return {
          onOpen: () => undefined,
          onData: (_e, payload) => {
            this.links.get(peer)?.noteRead();
            this.dispatch(peer, payload as NodeMessage);
          },
          onClose: (closed) => {
            if (this.incoming.get(peer) === closed) this.incoming.delete(peer);
          },
        };
      },
    });
    this.links = new Map();
    for (const peer of this.clusterNodes) {
      if (peer === node.name) continue;
      const link = new NodeLink(this.world, node, this.world.node(peer), this.config.clientReconnectNs / 4, this.config.net_ticktime * 1_000_000_000, this.monitor);
      this.links.set(peer, link);
      link.connect();
    }
    if (this.clusterNodes.length === 1) this.becomeReady();
    else node.after(BOOT_WAIT_NS, () => this.becomeReady());
  }

  private becomeReady(): void {
    if (this.isReady) return;
    this.isReady = true;
    this.trace.record("rabbit.ready", this.node.name);
    if (this.monitor.shouldPause()) return;
    this.startApp();
  }

  private startApp(): void {
    if (this.isAppRunning) return;
    this.isAppRunning = true;
    this.appStarts++;
    this.trace.record("rabbit.app-start", this.node.name);
    this.roles.startAll();
    this.world.net.listen(this.node, AMQP_PORT, { accept: (endpoint) => this.acceptClient(endpoint) });
    this.alarms.startMonitors();
  }

  /** pause_minority, or autoheal's losing side: stop the application, keep the node. */
  private stopApp(reason: string): void {
    if (!this.isAppRunning) return;
    this.isAppRunning = false;
    this.trace.record(`rabbit.app-stop.${reason}`, this.node.name);
    this.mark(`rabbit.app-stop.${reason}`);
    this.world.net.unlisten(this.node, AMQP_PORT);
    this.alarms.stopMonitors();
    for (const channel of [...this.channels.values()]) channel.closeConnection();
    this.channels.clear();
    this.roles.stopAll();
    this.roles = new QueueRoles(this, this.plan);
  }

  get isRunning(): boolean {
    return this.isAppRunning && this.node.isUp;
  }

  // ------------------------------------------------------------------ clients

  private acceptClient(endpoint: Endpoint): { onOpen(): void; onData(e: Endpoint, payload: unknown): void; onClose(): void } {
    const id = this.channelNext++;
    const channel = new Channel(id, endpoint, this.router, this.schedulers.spawn(`channel ${id}`), this.cpu);
    this.channels.set(channel.id, channel);
    const closed = (): void => {
      heartbeats.stop();
      if (channel.isClosed) return;
      channel.exit();
      channel.cancelConsumer();
      this.channels.delete(channel.id);
    };
    // The server's side of AMQP heartbeats: a client gone silent is closed, its unacknowledged deliveries requeued.
    const heartbeats = new TickMonitor(this.node, Math.max(1, Math.floor((this.config.heartbeat * 1_000_000_000) / HEARTBEATS_PER_TIMEOUT)), HEARTBEATS_PER_TIMEOUT, {
      sendTick: () => endpoint.send({ kind: "heartbeat" } satisfies ServerFrame, serverFrameBytes({ kind: "heartbeat" })),
      onSilent: () => {
        this.mark("rabbit.server.heartbeat-timeout");
        endpoint.close();
        closed();
      },
    });
    heartbeats.start();
    channel.onWrite = () => heartbeats.noteWrite();
    return {
      onOpen: () => undefined,
      onData: (_e, payload) => {
        heartbeats.noteRead();
        const frame = payload as ClientFrame;
        if (frame.kind !== "heartbeat") channel.onFrame(frame);
      },
      onClose: closed,
    };
  }

  // ------------------------------------------------------------------ resource alarms

  /** A memory or disk alarm is on somewhere in the cluster (in this node's view): publishers are blocked. */
  get isPublishBlocked(): boolean {
    return this.alarms.isBlocking;
  }

  // ------------------------------------------------------------------ cluster view

  /** The peer runs in this node's cluster view: connected, and not on the other side of a partition it never recovered from. */
  isNodeUp(name: string): boolean {
    if (name === this.node.name) return true;
    return this.isConnected(name) && !this.monitor.peers.isPartitioned(name);
  }

  /** The Erlang distribution connection to the peer is up (messages to its processes get there). */
  isConnected(name: string): boolean {
    if (name === this.node.name) return true;
    return this.links.get(name)?.isOpen ?? false;
  }

  /** How many times the distribution connection to the peer came up in this node's life (Raft's resend rule). */
  connectionEpoch(peer: string): number {
    return this.monitor.peers.connectionEpoch(peer);
  }

  /** Peers this node stays partitioned from (ignore), for convergence and reports. */
  get partitionedFrom(): readonly string[] {
    return this.monitor.peers.partitionedPeers();
  }

  upNodes(): string[] {
    return this.clusterNodes.filter((n) => this.isNodeUp(n));
  }

  send(to: string, message: NodeMessage): boolean {
    if (to === this.node.name) {
      this.node.after(0, this.deliverLocalBound, { from: to, message });
      return true;
    }
    const isSent = this.links.get(to)?.send(message) ?? false;
    if (isSent) this.countSent(message);
    return isSent;
  }

  /**
   * Wire bytes this node sent to peers, by message kind (the same framing
   * the network applies), so reports can tell replication (mirror-*, raft)
   * from pull-through (enqueue, deliver) within the one "cluster" class.
   */
  readonly wireBytesSentByKind = new Map<NodeMessage["kind"], number>();

  private countSent(message: NodeMessage): void {
    const bytes = this.world.net.wireBytes(nodeMessageBytes(message));
    this.wireBytesSentByKind.set(message.kind, (this.wireBytesSentByKind.get(message.kind) ?? 0) + bytes);
  }

  /** A coverage mark (promotions, demotions: what a property or an anomaly judge asks for). */
  mark(name: string): void {
    this.kernel.marks.hit(name);
  }

  /** Starts of the application over the run: pause_minority and autoheal restart it within one process incarnation. */
  private appStarts = 0;

  /** A stream per queue process per application start, so a restarted app never reuses one. */
  rng(name: string): RngStream {
    return this.kernel.rng.stream(`${name}@${this.node.name}#${this.node.incarnation}.${this.appStarts}`);
  }

  record(queue: string): QueueRecord {
    const record = this.records.get(queue);
    if (record === undefined) throw new Error(`no record of queue ${queue}`);
    return record;
  }

  allRecords(): QueueRecord[] {
    return this.records.all();
  }

  publishRecord(record: QueueRecord): void {
    this.storeRecord(record);
    for (const peer of this.clusterNodes) if (peer !== this.node.name) this.links.get(peer)!.send({ kind: "records", records: [record], upCount: this.upNodes().length, isRunning: this.isAppRunning, isBooting: !this.isReady });
  }

  /** Keeps the record in this node's copy of the table, tells the channels of a classic queue's processes, and writes it to disk (queue-record-table.ts). */
  private storeRecord(record: QueueRecord): void {
    this.records.keep(record);
    if (record.type === "classic") for (const channel of this.channels.values()) channel.onQueueProcesses(record.name, record.master, record.mirrors);
    this.records.write(this.disk, record);
  }

  private onRecords(from: string, records: readonly QueueRecord[], peerUpCount: number, isPeerRunning: boolean, isPeerBooting: boolean): void {
    // A restarting node syncs its tables from a running one, whatever its own copy says; a running node
    // takes nothing from a node still booting (its copy is as old as its last run), nor across a partition.
    const isSync = !this.isReady && isPeerRunning && this.node.incarnation > 1;
    const isIgnored = this.monitor.peers.isPartitioned(from) || (this.isAppRunning && isPeerBooting);
    for (const incoming of isIgnored ? [] : records) {
      const mine = this.records.get(incoming.name);
      if (mine !== undefined && !isNewerRecord(incoming, mine) && !(isSync && incoming.epoch !== mine.epoch)) continue;
      this.storeRecord(incoming);
      if (this.isAppRunning) this.roles.onRecordChanged(incoming.name);
    }
    // A restarted node waits for the tables of a node that is running (https://www.rabbitmq.com/docs/clustering#restarting:
    // it syncs the metadata from a peer that stayed up), so it never restarts a queue master that was moved while it was
    // away; peers that are booting too hold copies as stale as its own. A first boot (a new cluster) waits for no one.
    if (!this.isReady && (isPeerRunning || this.node.incarnation === 1)) this.becomeReady();
    this.monitor.onPeerRecords(from, peerUpCount);
  }

  // ------------------------------------------------------------------ peers

  isStopping(peer: string): boolean {
    return this.monitor.isStopping(peer);
  }

  /** An orderly stop (World.shutdown): tell every peer, so their mirrors apply ha-promote-on-shutdown. */
  shutdown(): void {
    for (const peer of this.clusterNodes) if (peer !== this.node.name) this.links.get(peer)?.send({ kind: "node-stopping" });
  }

  /** A peer came up: it gets this node's records and own alarms (node-monitor.ts decides the rest). */
  private greet(peer: string): void {
    this.links.get(peer)!.send({ kind: "records", records: this.allRecords(), upCount: this.upNodes().length, isRunning: this.isAppRunning, isBooting: !this.isReady });
    for (const resource of this.alarms.ownAlarms) this.links.get(peer)!.send({ kind: "alarm", resource, isOn: true });
  }

  /** A peer went down: what this node holds for it goes (node-monitor.ts decides the rest). */
  private forget(peer: string): void {
    // Erlang has one connection per node pair: nodedown closes both directions.
    this.incoming.get(peer)?.close();
    this.incoming.delete(peer);
    this.alarms.onPeerDown(peer);
    for (const channel of this.channels.values()) channel.onNodeDown(peer);
  }

  // ------------------------------------------------------------------ dispatch

  private dispatch(from: string, message: NodeMessage): void {
    if (message.kind === "tick") return;
    if (message.kind === "node-stopping") {
      this.monitor.onPeerStopping(from);
      return;
    }
    if (message.kind === "monitor-channel") {
      // erlang:monitor on a channel that no longer exists fires at once (noproc).
      if (!this.channels.has(message.channel)) this.send(from, { kind: "channel-down", queue: message.queue, channel: message.channel });
      return;
    }
    if (message.kind === "leader-change") {
      this.channels.get(message.channel)?.onQuorumLeader(message.queue, from);
      return;
    }
    if (message.kind === "channel-down") {
      this.roles.quorum.get(message.queue)?.onChannelDown({ node: from, channel: message.channel });
      return;
    }
    if (message.kind === "alarm") {
      this.alarms.onPeerAlarm(from, message.resource, message.isOn);
      return;
    }
    if (message.kind === "saw-you-down") {
      this.monitor.onSawMeDown(from);
      return;
    }
    if (message.kind === "records") {
      this.onRecords(from, message.records, message.upCount, message.isRunning, message.isBooting);
      return;
    }
    if (message.kind === "enqueue-result" || message.kind === "enqueue-forwarded" || message.kind === "consume-result" || message.kind === "deliver" || message.kind === "credit-bump") {
      this.router.onChannelMessage(message);
      return;
    }
    // With the application stopped (booting, paused minority) there is no queue process: the roles
    // are empty, so a publish is nacked and a consume refused at once instead of waiting forever
    // (a call to a queue process that does not exist fails at once in Erlang: noproc).
    this.roles.dispatch(from, message);
  }
}
