/**
 * A client's route refresh (MQClientInstance.updateTopicRouteInfoFromNameServer):
 * a producer or consumer owns one per process incarnation, with the topics
 * it cares about. It asks one NameServer at a time for each topic's route
 * and hands a route that changed to its owner, which rebuilds its queue
 * lists from it (route.ts).
 *
 * Sources (apache/rocketmq, 5.x):
 * - client/src/main/java/org/apache/rocketmq/client/impl/factory/MQClientInstance.java:
 *   the poll runs 10 ms after start and then every pollNameServerInterval
 *   (30 s), topic after topic. A route is kept (topicRouteTable) and passed
 *   on only when topicRouteDataChanged (compared as sorted data). When the
 *   NameServer answers TOPIC_NOT_EXIST, getTopicRouteInfoFromNameServer
 *   throws an MQClientException, which the per-topic update catches and
 *   logs: the old route stays, however stale, and the next topic is asked.
 *   A remoting failure (connect refused or timed out, request timeout) is
 *   rethrown as IllegalStateException, which ends the whole round: the
 *   topics after it wait for the next round.
 * - client/src/main/java/org/apache/rocketmq/client/impl/MQClientAPIImpl.java:
 *   a route query's timeout is ClientConfig.mqClientApiTimeout (3 s).
 * - remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyRemotingClient.java:
 *   requests go to the chosen NameServer while its connection is fine; a
 *   timeout closes that connection (clientCloseSocketIfTimeout), and the
 *   next request then connects to the next NameServer of the list, starting
 *   from a random index (initValueIndex). The shared link rotates the same
 *   way after every loss.
 *
 * The route it keeps is the client's only view: a broker that died stays
 * in it until a poll brings a route without it, and the NameServer itself
 * keeps a powered-off broker for up to 120 s (nameserver.ts), so a
 * producer may keep choosing a dead broker's queues for up to 2.5 minutes.
 */
import { assert, compareStrings, NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { DEFAULT_CLIENT_CONFIG, type RocketClientConfig } from "./config.js";
import { NAMESRV_PORT, NAMESRV_TRAFFIC, namesrvBytesOf, type GetRouteInfoRequest, type NamesrvMessage } from "./namesrv-protocol.js";
import { routesEqual, type TopicRouteData } from "./route.js";

const NS_PER_MS = 1_000_000;
/** MQClientInstance.startScheduledTask: the first poll 10 ms after start. */
const FIRST_POLL_DELAY_NS = 10 * NS_PER_MS;
/** NettyRemotingClient.initValueIndex: the first NameServer index is random in [0, 999). */
const NAMESRV_INDEX_BOUND = 999;

export interface RoutePollerOptions {
  world: World;
  node: WorldNode;
  /** The NameServers' node names (namesrvAddr). */
  nameServers: readonly string[];
  topics: readonly string[];
  config?: Pick<RocketClientConfig, "pollNameServerInterval" | "mqClientApiTimeout">;
  /** A topic's route changed (or arrived for the first time). */
  onRoute: (topic: string, route: TopicRouteData) => void;
  /**
   * Where in `nameServers` to start. By default drawn from the stream
   * "rocketmq.namesrv-index:<node>:<incarnation>", which allows one poller
   * per process incarnation (RocketMQ shares one MQClientInstance among a
   * process's producers and consumers); a second one must be given this.
   */
  firstNameServerIndex?: number;
}

export class RoutePoller {
  private readonly options: RoutePollerOptions;
  private readonly node: WorldNode;
  private readonly link: ReconnectingLink<NamesrvMessage>;
  private readonly topics: string[];
  private readonly routes = new Map<string, TopicRouteData>();
  private readonly periodNs: number;
  private requestIdNext = 1;
  /** The topics the running round asks, in turn; null while no round runs. */
  private roundTopics: string[] | null = null;
  private roundIndex = 0;
  /** The query in flight (sent or waiting for the link to open). */
  private inFlight: GetRouteInfoRequest | null = null;
  private isUnsent = false;
  private isRoundOwed = false;
  private isStopped = false;
  private tick: EventHandle = NO_EVENT;
  private nextTickNs = 0;
  private readonly onTickBound = (): void => this.onTick();

  constructor(options: RoutePollerOptions) {
    this.options = options;
    this.node = options.node;
    this.topics = [...new Set(options.topics)].sort(compareStrings);
    const config = options.config ?? DEFAULT_CLIENT_CONFIG;
    this.periodNs = config.pollNameServerInterval * NS_PER_MS;
    assert(options.nameServers.length > 0, `${options.node.name}: a route poller needs a NameServer`);
    const servers = options.nameServers.map((name) => options.world.node(name));
    const first = (options.firstNameServerIndex ?? this.drawIndex()) % servers.length;
    this.link = new ReconnectingLink<NamesrvMessage>(
      {
        world: options.world,
        node: options.node,
        hosts: [...servers.slice(first), ...servers.slice(0, first)],
        port: NAMESRV_PORT,
        trafficClass: NAMESRV_TRAFFIC,
        bytesOf: namesrvBytesOf,
        reconnectBackoffNs: 0,
        reconnect: "on-demand",
        requests: { timeoutNs: config.mqClientApiTimeout * NS_PER_MS, answerOf: (message) => message.requestId, timeoutMark: "rocketmq.client.namesrv-request-timeout", timers: "per-request", isAnswersOnly: true },
      },
      {
        onOpen: () => this.sendInFlight(),
        onMessage: (message) => this.onAnswer(message),
        onDown: () => this.onDown(),
      },
    );
  }

  private drawIndex(): number {
    const node = this.options.node;
    return this.options.world.kernel.rng.stream(`rocketmq.namesrv-index:${node.name}:${node.incarnation}`).int(0, NAMESRV_INDEX_BOUND - 1);
  }

  /** The last route taken for `topic` (undefined before the first one). */
  routeOf(topic: string): TopicRouteData | undefined {
    return this.routes.get(topic);
  }

  /** The NameServer its next query goes to first: the open connection's, or null. */
  get nameServer(): string | null {
    return this.link.openPeer?.name ?? null;
  }

  /** Polls 10 ms from now, then every pollNameServerInterval. */
  start(): void {
    if (this.isStopped || this.tick !== NO_EVENT) return;
    this.nextTickNs = this.node.now + FIRST_POLL_DELAY_NS;
    this.tick = this.node.at(this.nextTickNs, this.onTickBound);
  }

  /**
   * A topic to follow from now on, asked at once (a producer's first send
   * to a topic it has no route for: tryToFindTopicPublishInfo).
   */
  addTopic(topic: string): void {
    if (this.topics.includes(topic)) return;
    this.topics.push(topic);
    this.topics.sort(compareStrings);
    if (!this.isStopped) this.startRound([topic]);
  }

  /** Asks for the topic's route now, out of schedule (a send that found no usable route: tryToFindTopicPublishInfo). */
  askNow(topic: string): void {
    if (!this.isStopped) this.startRound([topic]);
  }

  /** Stops for good: the link closed, the schedule cancelled. */
  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.node.cancel(this.tick);
    this.tick = NO_EVENT;
    this.link.close();
    this.roundTopics = null;
    this.inFlight = null;
  }

  private onTick(): void {
    this.startRound(this.topics);
    // scheduleAtFixedRate: a run that came late (a paused process) is followed at once by the ones it missed.
    this.nextTickNs += this.periodNs;
    this.tick = this.node.at(Math.max(this.nextTickNs, this.node.now), this.onTickBound);
  }

  /** A round asks for its topics in turn; a round due while another runs asks for every topic when that one ends. */
  private startRound(topics: readonly string[]): void {
    if (this.roundTopics !== null) {
      this.isRoundOwed = true;
      return;
    }
    this.roundTopics = [...topics];
    this.roundIndex = 0;
    this.askNext();
  }

  private askNext(): void {
    const topics = this.roundTopics!;
    if (this.roundIndex >= topics.length) return this.endRound();
    this.inFlight = { kind: "GET_ROUTEINFO_BY_TOPIC", requestId: this.requestIdNext++, topic: topics[this.roundIndex]! };
    this.isUnsent = true;
    if (this.link.isEstablished) this.sendInFlight();
    else this.link.ensureConnecting();
  }

  private sendInFlight(): void {
    const request = this.inFlight;
    if (request === null || !this.isUnsent) return;
    this.isUnsent = false;
    this.link.request(request, request.requestId);
  }

  private onAnswer(message: NamesrvMessage): void {
    const request = this.inFlight;
    if (message.kind !== "GET_ROUTEINFO_RESPONSE" || request === null || message.requestId !== request.requestId) return;
    this.inFlight = null;
    if (message.code === "SUCCESS") this.take(request.topic, message.route);
    else this.options.world.kernel.marks.hit(this.routes.has(request.topic) ? "rocketmq.client.route-kept-on-topic-not-exist" : "rocketmq.client.route-topic-not-exist");
    this.roundIndex++;
    this.askNext();
  }

  /** topicRouteDataChanged: only a route that differs as data replaces the kept one and reaches the owner. */
  private take(topic: string, route: TopicRouteData): void {
    const old = this.routes.get(topic);
    if (old !== undefined && routesEqual(old, route)) return;
    if (old !== undefined) this.options.world.kernel.marks.hit("rocketmq.client.route-changed");
    this.routes.set(topic, route);
    this.options.world.kernel.trace.record("rocketmq.client.route", `${this.node.name}:${topic}`, route.brokerDatas.length, route.queueDatas.length);
    this.options.onRoute(topic, route);
  }

  /** The connection failed or a query timed out: the round ends here (IllegalStateException), the rest waits for the next. */
  private onDown(): void {
    if (this.inFlight === null) return;
    this.options.world.kernel.marks.hit("rocketmq.client.route-round-failed");
    this.inFlight = null;
    this.endRound();
  }

  private endRound(): void {
    this.roundTopics = null;
    if (this.isRoundOwed && !this.isStopped) {
      this.isRoundOwed = false;
      this.startRound(this.topics);
    }
  }
}
