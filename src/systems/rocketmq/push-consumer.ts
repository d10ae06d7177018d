/**
 * A RocketMQ consuming application on its own client node:
 * DefaultMQPushConsumer in clustering mode with a concurrently consuming
 * listener that works processNsPerMessage on each message and then applies
 * its side effect. The group's members divide the topic's queues among
 * themselves (rebalance-service.ts), pull them (pull-service.ts), consume
 * on 20 shared threads (consume-pool.ts) and commit offsets to the brokers
 * (offset-store.ts); push-consumer-process.ts ties one incarnation together.
 *
 * Delivery is at least once: the broker keeps only the offsets it was
 * told, every 5 s or with a pull, so a crash redelivers what was consumed
 * after that (duplicates, claim C13); the group's IdempotentConsumer — the
 * effect's own database, outside the process — keeps each effect once. A
 * restarted process is a new member with the same client id: it starts
 * over from the route, the rebalance and the brokers' offsets.
 *
 * Source (apache/rocketmq): client/src/main/java/org/apache/rocketmq/client/
 * consumer/DefaultMQPushConsumer.java and the files named in the others.
 */
import type { IdempotentConsumer } from "../../clients/idempotent-consumer.js";
import type { History } from "../../history/history.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import { DEFAULT_CONSUMER_CONFIG, type RocketConsumerConfig } from "./config.js";
import { PushConsumerProcess } from "./push-consumer-process.js";
import type { RouteLog } from "./route-log.js";

export interface RocketConsumerWorkload {
  /** The client node's name; also its clientId and its name in the History. */
  name: string;
  group: string;
  topic: string;
  /** The listener's work per message (ns). */
  processNsPerMessage: number;
  config?: Partial<RocketConsumerConfig>;
}

export interface RocketPushConsumerOptions {
  world: World;
  workload: RocketConsumerWorkload;
  namesrvNodes: string[];
  history: History;
  /** The group's shared dedup store (it outlives every member's crashes), or null for plain at-least-once effects. */
  idempotentConsumer: IdempotentConsumer | null;
  /** Where the run keeps the client's route changes (C11's stale routes). */
  routeLog?: RouteLog;
}

/** A queue a member holds and how far it has consumed it: every message below `offset` is done. */
export interface ConsumedOffset {
  stream: string;
  offset: number;
}

export class RocketPushConsumer implements NodeSoftware {
  private readonly config: RocketConsumerConfig;
  private node: WorldNode | null = null;
  private process: PushConsumerProcess | null = null;

  constructor(private readonly options: RocketPushConsumerOptions) {
    this.config = { ...DEFAULT_CONSUMER_CONFIG, ...options.workload.config };
  }

  get workload(): RocketConsumerWorkload {
    return this.options.workload;
  }

  get group(): string {
    return this.options.workload.group;
  }

  /** The process exists (up, or paused with its queues). */
  get isLive(): boolean {
    return this.node !== null && this.node.isProcessAlive && this.process !== null;
  }

  start(node: WorldNode): void {
    const { world, workload, namesrvNodes, history, idempotentConsumer } = this.options;
    const routeLog = this.options.routeLog ?? null;
    this.node = node;
    this.process = new PushConsumerProcess({
      world,
      node,
      clientId: workload.name,
      group: workload.group,
      topic: workload.topic,
      processNsPerMessage: workload.processNsPerMessage,
      config: this.config,
      namesrvNodes,
      history,
      idempotentConsumer,
      routeLog,
    });
    this.process.start();
  }

  shutdown(): void {
    if (this.isLive) this.process!.shutdown();
  }

  /** Nothing pulled waits to be consumed and no consume thread is busy (a dead process does nothing). */
  isIdle(): boolean {
    return !this.isLive || this.process!.isIdle();
  }

  /** The queues this member holds now, each with its consumed offset, by stream name (none while the process is dead). */
  consumedOffsets(): ConsumedOffset[] {
    return this.isLive ? this.process!.consumedOffsets() : [];
  }

  /** The streams of the queues held now. */
  assignment(): string[] {
    return this.consumedOffsets().map((entry) => entry.stream);
  }

  /** Rebalances this incarnation has completed (for tests and traces). */
  get rebalances(): number {
    return this.isLive ? this.process!.rebalance.completedRuns : 0;
  }
}
