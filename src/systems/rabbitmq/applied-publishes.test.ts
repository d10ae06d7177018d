import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppliedPublishes } from "./applied-publishes.js";

const A = { node: "r1", channel: 1 };
const B = { node: "r2", channel: 1 };

describe("AppliedPublishes", () => {
  it("knows exactly the publishes added, per channel, whatever their order", () => {
    const applied = new AppliedPublishes();
    applied.add(A, 50, 5);
    applied.add(A, 1, 10);
    expect(applied.has(A, 1, 10)).toBe(true);
    expect(applied.has(A, 32, 1)).toBe(false);
    expect(applied.has(A, 52, 2)).toBe(true);
    expect(applied.has(A, 54, 2)).toBe(false);
    expect(applied.has(B, 1, 1)).toBe(false);
  });

  it("matches a plain set of sequence numbers (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ seq: fc.integer({ min: 1, max: 200 }), count: fc.integer({ min: 1, max: 5 }) }), { maxLength: 40 }), fc.integer({ min: 1, max: 210 }), fc.integer({ min: 1, max: 5 }), (adds, seq, count) => {
        const applied = new AppliedPublishes();
        const plain = new Set<number>();
        for (const add of adds) {
          applied.add(A, add.seq, add.count);
          for (let k = 0; k < add.count; k++) plain.add(add.seq + k);
        }
        let isAll = true;
        for (let k = 0; k < count; k++) isAll &&= plain.has(seq + k);
        expect(applied.has(A, seq, count)).toBe(isAll);
      }),
    );
  });
});
