/**
 * A RocketMQ NameServer (NamesrvController): brokers register with it every
 * 30 s, clients ask it for topics' routes. It holds the route tables in
 * memory (route-info-manager.ts) and forgets them when its process dies: a
 * NameServer is stateless, and the brokers' next registrations rebuild it.
 * NameServers do not talk to each other; each broker registers with all.
 *
 * A broker leaves the tables in four ways (RouteInfoManager, BrokerHousekeepingService):
 * - it unregisters (UNREGISTER_BROKER, sent by a broker that stops in order);
 * - the connection its latest registration came over closes
 *   (BrokerHousekeepingService.onChannelClose → onChannelDestroy);
 * - that connection is idle, nothing read or written for
 *   serverChannelMaxIdleTimeSeconds (120 s): the server's IdleStateHandler
 *   closes it (onChannelIdle → onChannelDestroy);
 * - scanNotActiveBroker, every scanNotActiveBrokerInterval (5 s, first 5 s
 *   after start), finds lastUpdate + heartbeatTimeout (120 s unless the
 *   broker sent its own) before now, closes the connection and unregisters.
 *
 * What closes a connection in this world (src/world/network-connections.ts,
 * connection.ts) decides which of these applies:
 * - a broker's process crash (kill -9) or its orderly stop: its OS resets
 *   the connection, so the NameServer drops the broker one network latency
 *   later — unless a partition eats that one reset (resets are not
 *   retransmitted), and the NameServer never writes on that connection
 *   unasked, so no later reset tells it either;
 * - a power loss of the broker's machine, a partition, a pause: nothing
 *   closes the connection (TCP keeps it; the NameServer only answers, so it
 *   never retransmits into the void), and the broker stays in every route
 *   until 120 s after its last registration: 90 to 120 s after the fault
 *   with the 30 s registration period. With the defaults the idle close
 *   (exactly 120 s after the last registration and its answer) comes
 *   before the scan (the first tick past 120 s, up to 5 s later), as in
 *   RocketMQ; the scan decides when a broker registers a shorter
 *   heartbeatTimeoutMillis (5.x with enableSlaveActingMaster sends
 *   brokerNotActiveTimeoutMillis, 10 s, and heartbeats to match). A broker
 *   restarted within those 120 s registers again at start and never leaves
 *   the route; its old connection idles out later, matching no broker.
 * Clients then keep the old route until their next poll (30 s): a producer
 * keeps choosing a dead broker's queues until then (claim C11).
 */
import type { Marks, Trace } from "../../kernel/index.js";
import type { ClusterLog } from "../../world/cluster-log.js";
import type { ConnectionHandler, Endpoint } from "../../world/connection.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { DEFAULT_NAMESRV_CONFIG, type RocketNamesrvConfig } from "./config.js";
import { NAMESRV_PORT, namesrvBytesOf, type GetRouteInfoResponse, type NamesrvRequest, type NamesrvResponse } from "./namesrv-protocol.js";
import { RouteInfoManager, type UnregisterOutcome } from "./route-info-manager.js";
import type { RouteLog } from "./route-log.js";
import type { TopicRouteData } from "./route.js";

const NS_PER_MS = 1_000_000;
/** NamesrvController.startScheduleService: the first scan runs 5 s after start. */
const SCAN_INITIAL_DELAY_NS = 5_000 * NS_PER_MS;

/** Why a broker left the tables (the trace record's first number). */
export type RemovalReason = "unregister" | "channel-close" | "channel-idle" | "expired";
const REMOVAL_CODES: Record<RemovalReason, number> = { unregister: 0, "channel-close": 1, "channel-idle": 2, expired: 3 };

export class RocketNameServer implements NodeSoftware {
  private process: NamesrvProcess | null = null;

  constructor(
    private readonly world: World,
    private readonly config: RocketNamesrvConfig = DEFAULT_NAMESRV_CONFIG,
    /** Where the run keeps when brokers were dropped and taken back (C11's stale routes). */
    private readonly routeLog: RouteLog | null = null,
  ) {}

  /** Boot or restart: empty tables, the port open, the scan scheduled. */
  start(node: WorldNode): void {
    this.process = new NamesrvProcess(this.world, node, this.config, this.routeLog);
  }

  /** The route this NameServer would answer now; null for TOPIC_NOT_EXIST or while its process is down. */
  routeOf(topic: string): TopicRouteData | null {
    return this.live()?.tables.pickupTopicRouteData(topic) ?? null;
  }

  /** Brokers in its live table, in code-unit order (none while its process is down). */
  liveBrokers(): string[] {
    return this.live()?.tables.liveBrokers() ?? [];
  }

  /** When `brokerAddr` last registered here (null: not registered, or the process is down). */
  lastUpdateNsOf(brokerAddr: string): number | null {
    return this.live()?.tables.lastUpdateNsOf(brokerAddr) ?? null;
  }

  private live(): NamesrvProcess | null {
    const process = this.process;
    return process !== null && process.node.isProcessAlive && process.node.incarnation === process.incarnation ? process : null;
  }
}

/** One accepted connection: when it last read or wrote, for the idle close. */
interface NamesrvChannel {
  endpoint: Endpoint;
  lastActivityNs: number;
}

/** One incarnation of the NameServer process: everything here dies with it. */
class NamesrvProcess {
  readonly tables = new RouteInfoManager<Endpoint>();
  readonly incarnation: number;
  private readonly channels = new Map<Endpoint, NamesrvChannel>();
  private readonly trace: Trace;
  private readonly clusterLog: ClusterLog;
  private readonly marks: Marks;
  private readonly idleNs: number;
  private readonly expiredNs: number;
  private readonly onScanBound = (): void => this.scan();
  private readonly onIdleCheckBound = (channel: unknown): void => this.onIdleCheck(channel as NamesrvChannel);

  constructor(
    world: World,
    readonly node: WorldNode,
    private readonly config: RocketNamesrvConfig,
    private readonly routeLog: RouteLog | null,
  ) {
    this.incarnation = node.incarnation;
    this.trace = world.kernel.trace;
    this.clusterLog = world.clusterLog;
    this.marks = world.kernel.marks;
    this.idleNs = config.serverChannelMaxIdleTimeSeconds * 1_000 * NS_PER_MS;
    this.expiredNs = config.brokerChannelExpiredTime * NS_PER_MS;
    world.net.listen(node, NAMESRV_PORT, { accept: (endpoint) => this.accept(endpoint) });
    node.after(SCAN_INITIAL_DELAY_NS, this.onScanBound);
  }

  private accept(endpoint: Endpoint): ConnectionHandler {
    const channel: NamesrvChannel = { endpoint, lastActivityNs: this.node.now };
    this.channels.set(endpoint, channel);
    this.node.after(this.idleNs, this.onIdleCheckBound, channel);
    return {
      onData: (_, payload) => this.onRequest(channel, payload as NamesrvRequest),
      onClose: () => this.onChannelClose(channel),
    };
  }

  private onRequest(channel: NamesrvChannel, request: NamesrvRequest): void {
    channel.lastActivityNs = this.node.now;
    const response = this.answer(channel, request);
    channel.endpoint.send(response, namesrvBytesOf(response));
  }

  /** DefaultRequestProcessor / ClientRequestProcessor: every request is answered. */
  private answer(channel: NamesrvChannel, request: NamesrvRequest): NamesrvResponse {
    const requestId = request.requestId;
    switch (request.kind) {
      case "REGISTER_BROKER": {
        const outcome = this.tables.registerBroker(request, channel.endpoint, this.node.now, this.expiredNs);
        this.trace.record("rocketmq.namesrv.register", `${this.node.name}:${request.brokerAddr}`, request.brokerId, outcome.isFirst ? 1 : 0, outcome.hasWrittenQueues ? 1 : 0);
        if (outcome.isFirst) {
          this.marks.hit("rocketmq.namesrv.broker-registered-first");
          this.clusterLog.record("node-up", "", request.brokerAddr, -1, `registered with NameServer ${this.node.name}`);
          this.routeLog?.brokerRegistered(request.brokerAddr, this.node.now);
        }
        if (outcome.hasWrittenQueues && request.brokerId !== 0) this.marks.hit("rocketmq.namesrv.prime-slave-wrote-queues");
        return { kind: "REGISTER_BROKER_RESPONSE", requestId, result: outcome.result };
      }
      case "UNREGISTER_BROKER": {
        this.removed(this.tables.unregisterBroker(request), "unregister");
        return { kind: "UNREGISTER_BROKER_RESPONSE", requestId };
      }
      case "GET_ROUTEINFO_BY_TOPIC":
        return this.routeAnswer(requestId, request.topic);
    }
  }

  private routeAnswer(requestId: number, topic: string): GetRouteInfoResponse {
    const route = this.tables.pickupTopicRouteData(topic);
    if (route !== null) return { kind: "GET_ROUTEINFO_RESPONSE", requestId, code: "SUCCESS", route };
    this.marks.hit("rocketmq.namesrv.topic-not-exist");
    return { kind: "GET_ROUTEINFO_RESPONSE", requestId, code: "TOPIC_NOT_EXIST", route: null };
  }

  /** The peer closed (reset) the connection: BrokerHousekeepingService.onChannelClose. */
  private onChannelClose(channel: NamesrvChannel): void {
    this.channels.delete(channel.endpoint);
    const brokerAddr = this.tables.brokerOfChannel(channel.endpoint);
    if (brokerAddr !== null) this.removed(this.tables.onChannelDestroy(brokerAddr), "channel-close");
  }

  /** The IdleStateHandler: nothing read or written for the idle time closes the connection. */
  private onIdleCheck(channel: NamesrvChannel): void {
    if (!this.channels.has(channel.endpoint)) return;
    const dueNs = channel.lastActivityNs + this.idleNs;
    if (this.node.now < dueNs) {
      this.node.after(dueNs - this.node.now, this.onIdleCheckBound, channel);
      return;
    }
    this.marks.hit("rocketmq.namesrv.channel-idle");
    this.channels.delete(channel.endpoint);
    channel.endpoint.close();
    const brokerAddr = this.tables.brokerOfChannel(channel.endpoint);
    if (brokerAddr !== null) this.removed(this.tables.onChannelDestroy(brokerAddr), "channel-idle");
  }

  /** scanNotActiveBroker: a broker silent past its timeout loses its connection and its place in the tables. */
  private scan(): void {
    for (const { brokerAddr, channel } of this.tables.expiredBrokers(this.node.now)) {
      if (this.channels.delete(channel)) channel.close();
      this.removed(this.tables.onChannelDestroy(brokerAddr), "expired");
    }
    this.node.after(this.config.scanNotActiveBrokerInterval * NS_PER_MS, this.onScanBound);
  }

  private removed(outcome: UnregisterOutcome | null, reason: RemovalReason): void {
    if (outcome === null) return;
    this.marks.hit(REMOVAL_MARKS[reason]);
    this.routeLog?.brokerRemoved(outcome.brokerAddr, this.node.now);
    if (outcome.isBrokerNameRemoved) this.marks.hit("rocketmq.namesrv.broker-name-removed");
    this.clusterLog.record("node-down", "", outcome.brokerAddr, -1, `dropped by NameServer ${this.node.name} (${reason})`);
    this.trace.record("rocketmq.namesrv.unregister", `${this.node.name}:${outcome.brokerAddr}`, REMOVAL_CODES[reason], outcome.brokerId, outcome.isBrokerNameRemoved ? 1 : 0);
  }
}

const REMOVAL_MARKS: Record<RemovalReason, string> = {
  unregister: "rocketmq.namesrv.broker-unregistered",
  "channel-close": "rocketmq.namesrv.broker-removed-on-close",
  "channel-idle": "rocketmq.namesrv.broker-removed-on-idle",
  expired: "rocketmq.namesrv.broker-expired",
};
