/**
 * A consumer's receive-unavailability windows, as the History records them:
 * an "op-failed" receive when its first assigned partition stops being
 * fetchable (no leader, a fetch error), an "op-ok" once none is failing any
 * more. The unavailability checker measures the windows between the two.
 */
import type { History } from "../../history/history.js";
import type { WorldNode } from "../../world/node.js";

/** What this tracks of each partition: whether it is counted as failing. */
export interface FailingFlag {
  isFailing: boolean;
}

export class ReceiveAvailability {
  private failingCount = 0;
  private isReceiveFailing = false;

  constructor(
    private readonly node: WorldNode,
    private readonly history: History,
    private readonly clientName: string,
  ) {}

  markFailing(partition: FailingFlag, error: string): void {
    if (partition.isFailing) return;
    partition.isFailing = true;
    this.failingCount++;
    this.isReceiveFailing = true;
    this.history.record({ type: "op-failed", timeNs: this.node.now, client: this.clientName, op: "receive", error });
  }

  markOk(partition: FailingFlag): void {
    if (partition.isFailing) {
      partition.isFailing = false;
      this.failingCount--;
    }
    if (this.isReceiveFailing && this.failingCount === 0) {
      this.isReceiveFailing = false;
      this.history.record({ type: "op-ok", timeNs: this.node.now, client: this.clientName, op: "receive" });
    }
  }

  /** The partition is no longer assigned: it stops counting; the window closes at the next markOk. */
  forget(partition: FailingFlag): void {
    if (partition.isFailing) this.failingCount--;
    partition.isFailing = false;
  }
}
