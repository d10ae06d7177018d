/**
 * delivery.timeout.ms for every batch of one producer (KIP-91), with one
 * timer. Batches are created in time order and all get the same timeout, so
 * creation order is deadline order: the timer waits for the oldest batch that
 * has no send-result yet, and a batch that got one is simply passed over.
 */
import type { DurationNs } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import { DeadlineTimer } from "../../world/deadline-timer.js";
import type { ProducerBatch } from "./producer-batch.js";

export class DeliveryTimeouts {
  /** Batches in creation order from `head` on; finished ones are dropped from the front. */
  private batches: ProducerBatch[] = [];
  private head = 0;
  private readonly timer: DeadlineTimer;

  constructor(
    node: WorldNode,
    private readonly timeoutNs: DurationNs,
    /** Must give the batch its send-result (state "done"). */
    private readonly onExpire: (batch: ProducerBatch) => void,
  ) {
    this.timer = new DeadlineTimer(node, () => this.expire());
  }

  add(batch: ProducerBatch): void {
    this.batches.push(batch);
    this.timer.armBy(batch.createdNs + this.timeoutNs);
  }

  /** A batch got its send-result: forget finished batches at the front, so the list holds about what is unresolved. */
  trim(): void {
    const batches = this.batches;
    while (this.head < batches.length && batches[this.head]!.state === "done") this.head++;
    if (this.head > 64 && this.head * 2 > batches.length) {
      this.batches = batches.slice(this.head);
      this.head = 0;
    }
  }

  /** Every batch whose deadline has come expires, oldest first. */
  private expire(): void {
    const now = this.timer.nowNs;
    while (this.head < this.batches.length) {
      const batch = this.batches[this.head]!;
      if (batch.state === "done") {
        this.head++;
        continue;
      }
      const deadlineNs = batch.createdNs + this.timeoutNs;
      if (deadlineNs > now) {
        this.timer.armBy(deadlineNs);
        break;
      }
      // Expiring completes the batch, whose send-result trims it (and finished ones behind it) from the front.
      this.onExpire(batch);
      if (this.batches[this.head] === batch) this.head++;
    }
    this.trim();
  }
}
