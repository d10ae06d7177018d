/**
 * A broker's registration with the NameServers (BrokerController's
 * registerBrokerAll through BrokerOuterAPI.registerBrokerAll): the broker
 * owns one per process incarnation, builds it in its `start`, and tells it
 * what to register through a function it calls at each round.
 *
 * Sources (apache/rocketmq, 5.x):
 * - broker/src/main/java/org/apache/rocketmq/broker/BrokerController.java:
 *   start registers at once (registerBrokerAll(true, false, true)), then a
 *   fixed-rate task registers 10 s after start and every
 *   max(10 s, min(registerNameServerPeriod, 60 s)); forceRegister (true by
 *   default) skips the "has anything changed" query, so every round sends
 *   the whole registration. handleRegisterBrokerResult takes the first
 *   non-null result of a round: a slave learns its master's address and HA
 *   address from it (null while no NameServer knows a live master).
 *   Shutdown unregisters from every NameServer (unregisterBrokerAll).
 * - broker/src/main/java/org/apache/rocketmq/broker/out/BrokerOuterAPI.java:
 *   a round sends REGISTER_BROKER to every NameServer at once, each with
 *   the registerBrokerTimeoutMills deadline (24 s), and waits for all of
 *   them up to that deadline (a CountDownLatch); registerBrokerAll is
 *   synchronized, so a round due while one is running starts when it ends.
 * - remoting/src/main/java/org/apache/rocketmq/remoting/netty/NettyRemotingClient.java:
 *   a connection per NameServer, made when a request needs it (no
 *   backoff); a request that times out closes it (clientCloseSocketIfTimeout,
 *   true by default), which is what the shared link does on a deadline.
 *
 * Everything it schedules is a process timer (node.after) or belongs to
 * its links, which die with the process; `stop` cancels what is left.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { DEFAULT_BROKER_CONFIG, type RocketBrokerConfig } from "./config.js";
import { NAMESRV_PORT, NAMESRV_TRAFFIC, namesrvBytesOf, type BrokerRegistration, type NamesrvMessage, type NamesrvRequest, type RegisterBrokerResult } from "./namesrv-protocol.js";

const NS_PER_MS = 1_000_000;
/** BrokerController.start: the periodic registration's initial delay. */
const PERIODIC_INITIAL_DELAY_NS = 10_000 * NS_PER_MS;
/** BrokerController.start bounds the period to [10 s, 60 s]. */
const PERIOD_MIN_MS = 10_000;
const PERIOD_MAX_MS = 60_000;

export interface NamesrvRegistrarOptions {
  world: World;
  node: WorldNode;
  /** The NameServers' node names (namesrvAddr). */
  nameServers: readonly string[];
  /** What to register now: called at every round. */
  registration: () => BrokerRegistration;
  config?: Pick<RocketBrokerConfig, "registerNameServerPeriod" | "registerBrokerTimeoutMills">;
  /** A round ended with at least one answer: the first one (handleRegisterBrokerResult). */
  onResult: (result: RegisterBrokerResult) => void;
}

/** One registration round: the requests it awaits and the first result it got. */
interface Round {
  outstanding: number;
  result: RegisterBrokerResult | null;
  deadline: EventHandle;
}

/** A request to one NameServer and the round it belongs to (null: unregistration, nobody waits). */
interface Pending {
  round: Round | null;
  server: NameServerLink;
}

/** The link to one NameServer, with the requests waiting for it to open. */
interface NameServerLink {
  link: ReconnectingLink<NamesrvMessage>;
  unsent: NamesrvRequest[];
}

export class NamesrvRegistrar {
  private readonly options: NamesrvRegistrarOptions;
  private readonly node: WorldNode;
  private readonly servers: NameServerLink[];
  private readonly periodNs: number;
  private readonly timeoutNs: number;
  private readonly pending = new Map<number, Pending>();
  private requestIdNext = 1;
  private round: Round | null = null;
  /** A round came due while one was running. */
  private isRoundOwed = false;
  private isStopped = false;
  private tick: EventHandle = NO_EVENT;
  private nextTickNs = 0;
  private readonly onTickBound = (): void => this.onTick();
  private readonly onDeadlineBound = (round: unknown): void => this.endRound(round as Round);

  constructor(options: NamesrvRegistrarOptions) {
    this.options = options;
    this.node = options.node;
    const config = options.config ?? DEFAULT_BROKER_CONFIG;
    this.periodNs = Math.max(PERIOD_MIN_MS, Math.min(config.registerNameServerPeriod, PERIOD_MAX_MS)) * NS_PER_MS;
    this.timeoutNs = config.registerBrokerTimeoutMills * NS_PER_MS;
    this.servers = options.nameServers.map((name) => this.linkTo(options.world.node(name)));
  }

  /** Registers at once, then on the periodic schedule. */
  start(): void {
    if (this.isStopped) return;
    this.startRound();
    this.nextTickNs = this.node.now + PERIODIC_INITIAL_DELAY_NS;
    this.tick = this.node.at(this.nextTickNs, this.onTickBound);
  }

  /** Registers now, out of schedule (a DLedger member that became master or slave: registerBrokerAll at the role change). */
  registerNow(): void {
    if (!this.isStopped) this.startRound();
  }

  /**
   * An orderly stop (BrokerController.shutdown): no more registrations, and
   * UNREGISTER_BROKER to every NameServer, so they drop this broker at once
   * instead of when its connection closes.
   */
  unregisterAll(): void {
    if (this.isStopped) return;
    this.stopSchedule();
    const { clusterName, brokerAddr, brokerName, brokerId } = this.options.registration();
    for (const server of this.servers) {
      const requestId = this.requestIdNext++;
      this.pending.set(requestId, { round: null, server });
      this.send(server, { kind: "UNREGISTER_BROKER", requestId, clusterName, brokerAddr, brokerName, brokerId });
    }
  }

  /** Stops for good: links closed, timers cancelled. */
  stop(): void {
    if (this.isStopped) return;
    this.stopSchedule();
    this.isStopped = true;
    for (const server of this.servers) {
      server.unsent.length = 0;
      server.link.close();
    }
    this.pending.clear();
  }

  private linkTo(peer: WorldNode): NameServerLink {
    const server: NameServerLink = { link: null!, unsent: [] };
    server.link = new ReconnectingLink<NamesrvMessage>(
      {
        world: this.options.world,
        node: this.node,
        hosts: [peer],
        port: NAMESRV_PORT,
        trafficClass: NAMESRV_TRAFFIC,
        bytesOf: namesrvBytesOf,
        reconnectBackoffNs: 0,
        reconnect: "on-demand",
        requests: { timeoutNs: this.timeoutNs, answerOf: (message) => message.requestId, timeoutMark: "rocketmq.broker.namesrv-request-timeout", timers: "per-request", isAnswersOnly: true },
      },
      {
        onOpen: () => this.flush(server),
        onMessage: (message) => this.onAnswer(message),
        onDown: (_, __, lostIds) => this.onDown(server, lostIds),
      },
    );
    return server;
  }

  private onTick(): void {
    this.startRound();
    // scheduleAtFixedRate: a run that came late (a paused process) is followed at once by the ones it missed.
    this.nextTickNs += this.periodNs;
    this.tick = this.node.at(Math.max(this.nextTickNs, this.node.now), this.onTickBound);
  }

  private startRound(): void {
    if (this.round !== null) {
      this.isRoundOwed = true;
      return;
    }
    const registration = this.options.registration();
    const round: Round = { outstanding: this.servers.length, result: null, deadline: NO_EVENT };
    this.round = round;
    round.deadline = this.node.after(this.timeoutNs, this.onDeadlineBound, round);
    for (const server of this.servers) {
      const requestId = this.requestIdNext++;
      this.pending.set(requestId, { round, server });
      this.send(server, { kind: "REGISTER_BROKER", requestId, ...registration });
    }
    if (this.servers.length === 0) this.endRound(round);
  }

  /** Sends now if the link is open, else when it opens (connecting now if it is idle). */
  private send(server: NameServerLink, request: NamesrvRequest): void {
    if (server.link.isEstablished) {
      server.link.request(request, request.requestId);
      return;
    }
    server.unsent.push(request);
    server.link.ensureConnecting();
  }

  private flush(server: NameServerLink): void {
    const unsent = server.unsent.splice(0);
    for (const request of unsent) server.link.request(request, request.requestId);
  }

  private onAnswer(message: NamesrvMessage): void {
    if (message.kind !== "REGISTER_BROKER_RESPONSE") {
      this.pending.delete(message.requestId);
      return;
    }
    this.settle(message.requestId, message.result);
  }

  /** The connection is gone: its awaited requests failed, and so did those waiting for it to open. */
  private onDown(server: NameServerLink, lostIds: readonly number[]): void {
    for (const requestId of lostIds) this.settle(requestId, null);
    for (const request of server.unsent.splice(0)) this.settle(request.requestId, null);
  }

  private settle(requestId: number, result: RegisterBrokerResult | null): void {
    const pending = this.pending.get(requestId);
    if (pending === undefined) return;
    this.pending.delete(requestId);
    const round = pending.round;
    if (round === null || round !== this.round) return;
    if (result !== null && round.result === null) round.result = result;
    round.outstanding--;
    if (round.outstanding === 0) this.endRound(round);
  }

  /** Every NameServer answered or failed, or the deadline passed: the result is handled, and an owed round starts. */
  private endRound(round: Round): void {
    if (round !== this.round) return;
    this.node.cancel(round.deadline);
    this.round = null;
    if (round.result !== null) this.options.onResult(round.result);
    if (this.isRoundOwed && !this.isStopped) {
      this.isRoundOwed = false;
      this.startRound();
    }
  }

  private stopSchedule(): void {
    this.node.cancel(this.tick);
    this.tick = NO_EVENT;
    this.isRoundOwed = false;
    if (this.round !== null) this.node.cancel(this.round.deadline);
    this.round = null;
  }
}
