/**
 * A client's `failover:(b1,b2)` connection (client/transport/failover/
 * FailoverTransport.java and client/state/ConnectionStateTracker.java, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §6):
 *
 * - it connects to one of its brokers (randomize: a shuffled order drawn
 *   once per client), and after a loss tries the next after
 *   initialReconnectDelay (10 ms), doubling up to maxReconnectDelay (30 s;
 *   both options of the failover URI),
 *   for ever (maxReconnectAttempts -1); a slave refuses it (its connectors
 *   are not started), so it ends up on the master;
 * - a silent broker is noticed by the inactivity monitor
 *   (maxInactivityDuration 30 s: a keep-alive every 10 s, three missed);
 * - after a reconnect it restores its state: the owner re-registers its
 *   consumers (onRestore), then every response-required command still
 *   unanswered is sent again (an in-flight sync send is resent, with the
 *   same message id: the broker's producer audit drops it if stored);
 * - while disconnected, sync commands wait (timeout -1: a send blocks), and
 *   acks are dropped ("as it will be stale").
 */
import type { RngStream } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { OPENWIRE_PORT, OPENWIRE_TRAFFIC, openWireBytesOf, type OpenWireCommand } from "./openwire.js";

const NS_PER_MS = 1_000_000;
/** The failover URI's reconnect options (ms): FailoverTransport's defaults. */
export interface FailoverOptions {
  initialReconnectDelay: number;
  maxReconnectDelay: number;
}

export const FAILOVER_DEFAULTS: Readonly<FailoverOptions> = Object.freeze({ initialReconnectDelay: 10, maxReconnectDelay: 30_000 });
/** InactivityMonitor: maxInactivityDuration 30 s, checked as three 10 s intervals. */
const KEEP_ALIVE_INTERVAL_NS = 10_000 * NS_PER_MS;
const KEEP_ALIVE: OpenWireCommand = { kind: "KEEP_ALIVE" };

export interface FailoverListener {
  /** The connection (re)opened: re-register consumers here; unanswered commands go after. */
  onRestore(isReconnect: boolean): void;
  onCommand(command: OpenWireCommand): void;
  /** The connection was lost (consumers drop what they prefetched). */
  onInterrupted(): void;
}

export class FailoverConnection {
  private readonly link: ReconnectingLink<OpenWireCommand>;
  /** Response-required commands sent and not answered, in send order. */
  private readonly awaiting = new Map<number, OpenWireCommand>();
  private hasOpened = false;

  constructor(
    world: World,
    node: WorldNode,
    brokers: readonly string[],
    rng: RngStream,
    private readonly listener: FailoverListener,
    options: FailoverOptions = FAILOVER_DEFAULTS,
  ) {
    const hosts = shuffled(brokers, rng).map((name) => world.node(name));
    this.link = new ReconnectingLink<OpenWireCommand>(
      {
        world,
        node,
        hosts,
        port: OPENWIRE_PORT,
        trafficClass: OPENWIRE_TRAFFIC,
        bytesOf: openWireBytesOf,
        reconnectBackoffNs: options.initialReconnectDelay * NS_PER_MS,
        reconnectBackoffMaxNs: Math.max(options.initialReconnectDelay, options.maxReconnectDelay) * NS_PER_MS,
        ticks: { intervalNs: KEEP_ALIVE_INTERVAL_NS, silentIntervalsMax: 3, tick: KEEP_ALIVE, isTick: (command) => command.kind === "KEEP_ALIVE", silentMark: "activemq.client.inactivity-timeout" },
      },
      {
        onOpen: () => this.onOpen(),
        onMessage: (command) => this.onMessage(command),
        onDown: () => this.listener.onInterrupted(),
      },
    );
  }

  /** A client process's connection, opened now: its broker order drawn from its own stream (one per client incarnation). */
  static open(world: World, node: WorldNode, brokers: readonly string[], listener: FailoverListener, options: FailoverOptions = FAILOVER_DEFAULTS): FailoverConnection {
    const connection = new FailoverConnection(world, node, brokers, world.kernel.rng.stream(`activemq.failover:${node.name}#${node.incarnation}`), listener, options);
    connection.connect();
    return connection;
  }

  /** It has been connected at least once (a failure before that is the client still starting up). */
  get hasEverOpened(): boolean {
    return this.hasOpened;
  }

  get isOpen(): boolean {
    return this.link.isEstablished;
  }

  connect(): void {
    this.link.connect();
  }

  close(): void {
    this.link.close();
  }

  /** A command the caller waits for: sent now if connected, else when the connection is back. */
  request(command: Extract<OpenWireCommand, { commandId: number }>): void {
    this.awaiting.set(command.commandId, command);
    if (this.link.isEstablished) this.link.send(command);
  }

  /** A one-way command (an ack): dropped while disconnected. */
  oneway(command: OpenWireCommand): void {
    if (this.link.isEstablished) this.link.send(command);
  }

  private onOpen(): void {
    const isReconnect = this.hasOpened;
    this.hasOpened = true;
    // The state tracker restores consumers itself: a registration still unanswered is replaced by the restore's.
    const unanswered: OpenWireCommand[] = [];
    for (const [id, command] of [...this.awaiting]) {
      if (command.kind === "MESSAGE") unanswered.push(command);
      else this.awaiting.delete(id);
    }
    this.listener.onRestore(isReconnect);
    for (const command of unanswered) this.link.send(command);
  }

  private onMessage(command: OpenWireCommand): void {
    if (command.kind === "RESPONSE" && !this.awaiting.delete(command.correlationId)) return;
    this.listener.onCommand(command);
  }
}

/** The brokers in a random order (randomize=true), drawn once. */
function shuffled(brokers: readonly string[], rng: RngStream): string[] {
  const order = [...brokers];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
