/**
 * A client node that produces at a steady rate: every tick it hands the
 * producer `messagesPerSend` messages for the next partition in turn. Each
 * process incarnation builds a fresh producer (a restarted client is a new
 * producer with a new producer id, as in Kafka). Sending stops at `stopAtNs`,
 * after which the producer only finishes what it has.
 */
import { assert } from "../../kernel/index.js";
import { distribution, type Distribution, type DistributionSpec } from "../../kernel/index.js";
import type { RngStream } from "../../kernel/index.js";
import { DownstreamService } from "../../clients/downstream-service.js";
import { clampMessageBytes } from "../../clients/message-size.js";
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { KafkaProducerConfig } from "./config.js";
import { KafkaProducer } from "./producer.js";
import { NO_EVENT, type EventHandle } from "../../kernel/index.js";
import type { KafkaCpuCosts } from "./cpu-costs.js";
import { topicPartition } from "./protocol.js";

export interface ProducerWorkload {
  /** The client node's name; also the producer's name in the history. */
  name: string;
  topic: string;
  /** Partitions of the topic, written round robin. */
  partitions: number;
  messagesPerSecond: number;
  /** Messages handed to the producer per tick. */
  messagesPerSend: number;
  bytesPerMessage: number;
  config: Partial<KafkaProducerConfig>;
  /** What the producer's threads spend (cpu-costs.ts); Kreps 2014's calibration by default. */
  cpu?: KafkaCpuCosts;
  /** How sends arrive over time; default: constant at messagesPerSecond. */
  rate?: RateShape;
  /** Message size in bytes, drawn per send (every message of a send has that size); default bytesPerMessage. */
  messageBytes?: DistributionSpec;
  /**
   * Services the application calls, one after another, before it publishes
   * (claim C2). With calls, every send is a user request: a "request" event
   * records its start (before the calls) and its end (the publish answered).
   */
  callsBefore?: string[];
}

/**
 * Arrival of sends: evenly spaced ("constant"), a Poisson process
 * ("poisson": exponential gaps), or a piecewise schedule of rates over the
 * run (claim C3's peak hour), each step constant or Poisson. A step of rate
 * 0 sends nothing until the next step.
 */
export type RateShape =
  | { kind: "constant"; perSecond: number }
  | { kind: "poisson"; perSecond: number }
  | { kind: "piecewise"; steps: { atNs: number; perSecond: number }[]; poisson: boolean };

export class ProducerDriver implements NodeSoftware {
  private producerNow: KafkaProducer | null = null;
  private node!: WorldNode;
  private partitionNext = 0;
  private readonly tickNs: number;
  /** "<topic>-<partition>" for each partition, built once rather than at every tick. */
  private readonly topicPartitions: string[];
  private readonly onTickBound = (): void => this.onTick();

  constructor(
    private readonly world: World,
    readonly workload: ProducerWorkload,
    private readonly bootstrap: readonly string[],
    private readonly history: History,
    private readonly stopAtNs: number,
    services: ReadonlyMap<string, DownstreamService> = new Map(),
  ) {
    this.calls = (workload.callsBefore ?? []).map((name) => {
      const service = services.get(name);
      assert(service !== undefined, `producer ${workload.name}: no service ${name}`);
      return service;
    });
    assert(workload.messagesPerSecond > 0 && workload.messagesPerSend > 0, `producer ${workload.name}: rate and batch must be > 0`);
    this.tickNs = Math.max(1, Math.round((workload.messagesPerSend / workload.messagesPerSecond) * 1e9));
    this.topicPartitions = Array.from({ length: workload.partitions }, (_, partition) => topicPartition(workload.topic, partition));
    const shape = workload.rate;
    if (shape !== undefined && shape.kind === "piecewise") {
      assert(shape.steps.length > 0 && shape.steps.every((step, k) => step.perSecond >= 0 && (k === 0 || step.atNs > shape.steps[k - 1]!.atNs)), `producer ${workload.name}: piecewise steps must rise in time with rates >= 0`);
    }
    const isPoisson = shape !== undefined && (shape.kind === "poisson" || (shape.kind === "piecewise" && shape.poisson));
    this.arrivals = isPoisson ? world.kernel.rng.stream(`kafka.producer.arrivals:${workload.name}`) : null;
    this.sizes = workload.messageBytes === undefined ? null : distribution(workload.messageBytes);
    this.sizeRng = workload.messageBytes === undefined ? null : world.kernel.rng.stream(`kafka.producer.sizes:${workload.name}`);
  }

  private readonly calls: DownstreamService[];
  private readonly onCallsDoneBound = (startNs: number): void => {
    this.callsPending--;
    this.publish(startNs);
  };
  /** Requests still waiting for their services (the run is not idle while any are). */
  private callsPending = 0;
  /**
   * send() calls blocked on a full buffer.memory, oldest first: the user
   * request each belongs to (-1: none). One max.block.ms timer runs for the
   * oldest.
   */
  private blocked: number[] = [];
  private blockTimer: EventHandle = NO_EVENT;
  private readonly onBufferFreeBound = (): void => this.onBufferFree();
  private readonly onBlockTimeoutBound = (): void => this.onBlockTimeout();
  private readonly arrivals: RngStream | null;
  private readonly sizes: Distribution | null;
  private readonly sizeRng: RngStream | null;
  /** Exponential gap samplers by mean (Poisson arrivals), made once per distinct rate. */
  private readonly gapSamplers = new Map<number, Distribution>();

  /** Nanoseconds until the next send, from `nowNs`. */
  private nextGapNs(nowNs: number): number {
    const shape = this.workload.rate;
    if (shape === undefined || shape.kind === "constant") return shape === undefined ? this.tickNs : this.gapAt(shape.perSecond);
    if (shape.kind === "poisson") return this.gapAt(shape.perSecond);
    let k = shape.steps.length - 1;
    while (k > 0 && shape.steps[k]!.atNs > nowNs) k--;
    const step = shape.steps[k]!;
    if (step.perSecond > 0) return this.gapAt(step.perSecond);
    // A quiet step: wake at the next step (or never, if this is the last).
    const next = shape.steps[k + 1];
    return next === undefined ? Number.POSITIVE_INFINITY : Math.max(1, next.atNs - nowNs);
  }

  private gapAt(perSecond: number): number {
    // A rate of 0 (or one so low its gap is past any run) never sends.
    if (!(perSecond > 0)) return Number.POSITIVE_INFINITY;
    const meanNs = Math.max(1, Math.round((this.workload.messagesPerSend / perSecond) * 1e9));
    if (this.arrivals === null) return meanNs;
    let sampler = this.gapSamplers.get(meanNs);
    if (sampler === undefined) {
      sampler = distribution({ kind: "exponential", mean: meanNs });
      this.gapSamplers.set(meanNs, sampler);
    }
    return Math.max(1, sampler.sample(this.arrivals));
  }

  private schedule(): void {
    const node = this.node;
    let gapNs = this.nextGapNs(node.now);
    // A thread still busy in send() (its records' CPU) calls again only once free: the offered rate is capped by the producer's CPU.
    const busyNs = (this.producerNow?.caller.freeAtNs ?? 0) - node.now;
    if (busyNs > gapNs) gapNs = busyNs;
    if (gapNs !== Number.POSITIVE_INFINITY && node.now + gapNs < this.stopAtNs) node.after(gapNs, this.onTickBound);
  }

  get producer(): KafkaProducer | null {
    return this.producerNow;
  }

  start(node: WorldNode): void {
    this.node = node;
    // Requests of a crashed incarnation died with it (their timers were its own).
    this.callsPending = 0;
    this.blocked = [];
    this.blockTimer = NO_EVENT;
    this.producerNow = new KafkaProducer({
      world: this.world,
      node,
      bootstrap: this.bootstrap,
      config: this.workload.config,
      history: this.history,
      clientName: this.workload.name,
      ...(this.workload.cpu === undefined ? {} : { cpu: this.workload.cpu }),
    });
    this.producerNow.start();
    if (node.now < this.stopAtNs) this.schedule();
  }

  /** True when this producer has nothing left to send or resolve. */
  isIdle(): boolean {
    return this.producerNow === null || !this.node.isUp || (this.callsPending === 0 && this.blocked.length === 0 && this.producerNow.isIdle());
  }

  private onBufferFree(): void {
    if (this.blocked.length === 0) return;
    this.node.cancel(this.blockTimer);
    this.blockTimer = NO_EVENT;
    const waiting = this.blocked;
    this.blocked = [];
    // Each blocked call tries again in order; one that finds the buffer full again blocks anew.
    for (let startNsIndex = 0; startNsIndex < waiting.length; startNsIndex++) {
      const startNs = waiting[startNsIndex]!;
      this.publish(startNs);
    }
  }

  /** max.block.ms ran out: the oldest blocked send() threw a TimeoutException; its records were never handed over. */
  private onBlockTimeout(): void {
    const startNs = this.blocked.shift();
    this.blockTimer = NO_EVENT;
    if (startNs === undefined) return;
    this.world.kernel.marks.hit("kafka.producer.max-block-timeout");
    this.world.kernel.trace.record("kafka.producer.max-block-timeout", this.workload.name, this.workload.messagesPerSend);
    if (startNs >= 0) this.history.record({ type: "request", timeNs: this.node.now, client: this.workload.name, startNs, outcome: "error" });
    if (this.blocked.length > 0) this.blockTimer = this.node.after(this.producerNow!.maxBlockNs, this.onBlockTimeoutBound);
    else this.producerNow!.bufferPool.cancelWait();
    if (startNs < 0) this.schedule();
  }

  private onTick(): void {
    if (this.node.now >= this.stopAtNs) return;
    if (this.calls.length > 0) {
      // The request calls its services first; it publishes when the last answers.
      const nowNs = this.node.now;
      this.callsPending++;
      this.node.after(DownstreamService.chainDoneNs(this.calls, nowNs) - nowNs, this.onCallsDoneBound, nowNs);
      this.schedule();
      return;
    }
    this.publish(-1);
  }

  /** Sends one tick's messages; `startNs` ≥ 0 marks a user request started then (recorded when answered). */
  private publish(startNs: number): void {
    const producer = this.producerNow!;
    if (this.blocked.length > 0 || producer.bufferPool.isFull) {
      // send() blocks the application thread until a batch frees buffer.memory, or throws after max.block.ms.
      this.blocked.push(startNs);
      if (this.blocked.length === 1) {
        producer.bufferPool.await(this.onBufferFreeBound);
        this.blockTimer = this.node.after(producer.maxBlockNs, this.onBlockTimeoutBound);
      }
      this.world.kernel.marks.hit("kafka.producer.buffer-full");
      return;
    }
    const partition = this.partitionNext;
    this.partitionNext = (this.partitionNext + 1) % this.workload.partitions;
    const bytes = this.sizes === null ? this.workload.bytesPerMessage : clampMessageBytes(this.sizes.sample(this.sizeRng!));
    if (startNs < 0) {
      this.producerNow!.send(this.topicPartitions[partition]!, this.workload.messagesPerSend, bytes);
      this.schedule();
      return;
    }
    const node = this.node;
    const history = this.history;
    const client = this.workload.name;
    this.producerNow!.send(this.topicPartitions[partition]!, this.workload.messagesPerSend, bytes, (outcome) => {
      history.record({ type: "request", timeNs: node.now, client, startNs, outcome });
    });
  }
}
