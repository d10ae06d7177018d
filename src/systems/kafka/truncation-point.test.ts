import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { World } from "../../world/world.js";
import { PartitionLog, type RecordBatch } from "./partition-log.js";
import { truncationPoint } from "./truncation-point.js";

function logWith(batches: [baseOffset: number, count: number, epoch: number][]): PartitionLog {
  const world = new World({ kernel: new Kernel({ seed: 1 }), nodes: 1, disk: "nvme" });
  world.boot();
  const log = new PartitionLog(world.disk("n1"), "p/log");
  for (const [baseOffset, count, leaderEpoch] of batches) {
    const batch: RecordBatch = { baseOffset, count, leaderEpoch, idFirst: baseOffset, bytes: 100 * count, producerId: -1, baseSequence: -1 };
    expect(log.append(batch)).toBe("ok");
  }
  return log;
}

describe("the follower's truncation point (AbstractFetcherThread.getOffsetTruncationState)", () => {
  it("KIP-279: cuts where its own copy of the leader's epoch ends, not at the leader's offset (Experiment B)", () => {
    // Follower: epoch 1 up to 399, then its own epoch-2 record at 399. Leader: epoch 1 up to 404.
    const follower = logWith([[0, 399, 1], [399, 1, 2]]);
    expect(truncationPoint(follower, 0, "leader-epoch", 1, 404)).toEqual({ offset: 399, isComplete: true });
    // KIP-101 alone keeps the epoch-2 record: min(404, 400).
    expect(truncationPoint(follower, 0, "leader-epoch-kip101", 1, 404)).toEqual({ offset: 400, isComplete: true });
  });

  it("walks back when it never had the epoch the leader answered for, and asks again", () => {
    // Follower epochs 1 and 3; the leader answers for epoch 2, which the follower never saw.
    const follower = logWith([[0, 10, 1], [10, 5, 3]]);
    expect(truncationPoint(follower, 0, "leader-epoch", 2, 12)).toEqual({ offset: 10, isComplete: false });
  });

  it("falls back to its high watermark when the leader's answer is undefined, and to the leader's offset when it has no epochs", () => {
    const follower = logWith([[0, 10, 1]]);
    expect(truncationPoint(follower, 6, "leader-epoch", -1, -1)).toEqual({ offset: 6, isComplete: true });
    const empty = logWith([]);
    expect(truncationPoint(empty, 0, "leader-epoch", 1, 5)).toEqual({ offset: 0, isComplete: true });
  });
});
