import { describe, expect, it } from "vitest";
import type { RecordBatch } from "./partition-log.js";
import { BATCHES_RETAINED_PER_PRODUCER, ProducerStateTable } from "./producer-state.js";

function batch(producerId: number, baseSequence: number, count: number, baseOffset: number): RecordBatch {
  return { baseOffset, count, leaderEpoch: 0, idFirst: baseSequence, bytes: 100 * count, producerId, baseSequence };
}

describe("a leader's idempotent-producer state (Kafka's ProducerStateEntry)", () => {
  it("lets a producer it has never seen start at any sequence", () => {
    const table = new ProducerStateTable();
    expect(table.check(7, 40, 10)).toEqual({ kind: "append" });
  });

  it("appends the next sequence and answers an exact retry of a cached batch with its offset", () => {
    const table = new ProducerStateTable();
    table.onAppend(batch(7, 0, 10, 100));
    expect(table.check(7, 10, 5)).toEqual({ kind: "append" });
    table.onAppend(batch(7, 10, 5, 110));
    expect(table.check(7, 0, 10)).toEqual({ kind: "duplicate", baseOffset: 100 });
    expect(table.check(7, 10, 5)).toEqual({ kind: "duplicate", baseOffset: 110 });
  });

  it("refuses a gap, and a retry whose sequence it never stored, as out of order (never as a duplicate)", () => {
    const table = new ProducerStateTable();
    table.onAppend(batch(7, 10, 10, 0));
    // The regression of issue 19: sequence 0..9 never reached this leader.
    expect(table.check(7, 0, 10)).toEqual({ kind: "out-of-order", lastSequence: 19 });
    expect(table.check(7, 30, 10)).toEqual({ kind: "out-of-order", lastSequence: 19 });
    // Same first sequence, other length: not the same batch.
    expect(table.check(7, 10, 4)).toEqual({ kind: "out-of-order", lastSequence: 19 });
  });

  it("keeps only the last five batches per producer", () => {
    const table = new ProducerStateTable();
    for (let i = 0; i <= BATCHES_RETAINED_PER_PRODUCER; i++) table.onAppend(batch(7, i, 1, i));
    expect(table.check(7, 0, 1)).toEqual({ kind: "out-of-order", lastSequence: BATCHES_RETAINED_PER_PRODUCER });
    expect(table.check(7, 1, 1)).toEqual({ kind: "duplicate", baseOffset: 1 });
  });

  it("is rebuilt from the log, producer by producer, so it survives a leader change", () => {
    const table = new ProducerStateTable();
    table.onAppend(batch(9, 0, 1, 0));
    table.rebuild([batch(7, 0, 2, 0), { ...batch(-1, -1, 3, 2), baseSequence: -1 }, batch(8, 0, 1, 5), batch(7, 2, 2, 6)]);
    expect(table.check(7, 2, 2)).toEqual({ kind: "duplicate", baseOffset: 6 });
    expect(table.check(8, 1, 1)).toEqual({ kind: "append" });
    expect(table.check(9, 5, 1)).toEqual({ kind: "append" });
  });
});
