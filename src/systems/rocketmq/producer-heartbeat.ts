/**
 * A producer's heartbeats to the brokers (MQClientInstance's
 * sendHeartbeatToAllBroker): wire traffic every client sends, and what
 * registers its producer group with each broker.
 *
 * Sources (apache/rocketmq, 5.x):
 * - client/src/main/java/org/apache/rocketmq/client/impl/factory/MQClientInstance.java:
 *   startScheduledTask runs the heartbeat 1 s after start and then at a
 *   fixed rate of heartbeatBrokerInterval (30 s); a run that overruns
 *   delays the next, never overlaps it. sendHeartbeatToAllBroker goes
 *   through the broker address table one broker at a time, synchronously,
 *   each HEART_BEAT with the mqClientApiTimeout deadline; a client with no
 *   consumer skips every member but the masters (brokerId 0). A failure is
 *   logged and the next broker asked.
 *
 * The brokers are the masters of the producer's route, in brokerName
 * order. A heartbeat shares the broker's connection with the sends, so one
 * that times out closes it, as invokeSync does for any request.
 */
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { BrokerChannels, BrokerWaiter } from "./broker-channels.js";
import type { HeartbeatRequest } from "./broker-protocol.js";

const NS_PER_MS = 1_000_000;
/** startScheduledTask: the first heartbeat 1 s after start. */
const FIRST_HEARTBEAT_DELAY_NS = 1_000 * NS_PER_MS;
/** A producer's HeartbeatData has producer groups only: no consumer group to tell the broker of. */
const NO_CONSUMER_GROUPS: HeartbeatRequest["consumerGroups"] = Object.freeze([]);

export interface ProducerHeartbeatOptions {
  node: WorldNode;
  channels: BrokerChannels;
  /** The client id (clientIP@instanceName). */
  clientId: string;
  heartbeatBrokerIntervalMs: number;
  mqClientApiTimeoutMs: number;
  /** The master nodes to heartbeat now, in order. */
  masters(): readonly string[];
}

export class ProducerHeartbeat implements BrokerWaiter {
  private readonly periodNs: number;
  private nextTickNs = 0;
  private tick: EventHandle = NO_EVENT;
  /** The masters of the running round (null while none runs) and the next one's index. */
  private round: readonly string[] | null = null;
  private roundIndex = 0;
  private isRoundOwed = false;
  private readonly onTickBound = (): void => this.onTick();

  constructor(private readonly options: ProducerHeartbeatOptions) {
    this.periodNs = options.heartbeatBrokerIntervalMs * NS_PER_MS;
  }

  start(): void {
    if (this.tick !== NO_EVENT) return;
    this.nextTickNs = this.options.node.now + FIRST_HEARTBEAT_DELAY_NS;
    this.tick = this.options.node.at(this.nextTickNs, this.onTickBound);
  }

  onBrokerAnswer(): void {
    this.askNext();
  }

  onBrokerFailure(): void {
    this.askNext();
  }

  private onTick(): void {
    // scheduleAtFixedRate: a run that came late (a paused process) is followed at once by the ones it missed.
    this.nextTickNs += this.periodNs;
    this.tick = this.options.node.at(Math.max(this.nextTickNs, this.options.node.now), this.onTickBound);
    if (this.round !== null) {
      this.isRoundOwed = true;
      return;
    }
    this.startRound();
  }

  private startRound(): void {
    this.round = this.options.masters();
    this.roundIndex = 0;
    this.askNext();
  }

  private askNext(): void {
    const round = this.round;
    if (round === null) return;
    if (this.roundIndex >= round.length) {
      this.round = null;
      if (!this.isRoundOwed) return;
      this.isRoundOwed = false;
      return this.startRound();
    }
    const { node, channels, clientId, mqClientApiTimeoutMs } = this.options;
    const request: HeartbeatRequest = { kind: "HEART_BEAT", requestId: channels.nextRequestId(), clientId, consumerGroups: NO_CONSUMER_GROUPS };
    channels.request(round[this.roundIndex++]!, request, node.now + mqClientApiTimeoutMs * NS_PER_MS, this);
  }
}
