import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IdempotentConsumer } from "./idempotent-consumer.js";

describe("IdempotentConsumer", () => {
  it("applies a range once and reports repeats as nothing new", () => {
    const store = new IdempotentConsumer();
    expect(store.apply(10, 5)).toEqual([{ idFirst: 10, count: 5 }]);
    expect(store.apply(10, 5)).toEqual([]);
    expect(store.apply(12, 2)).toEqual([]);
    expect(store.appliedCount).toBe(5);
    expect(store.hasApplied(9)).toBe(false);
    expect(store.hasApplied(10)).toBe(true);
    expect(store.hasApplied(14)).toBe(true);
    expect(store.hasApplied(15)).toBe(false);
  });

  it("returns only the gaps of a partly applied range and merges touching ranges", () => {
    const store = new IdempotentConsumer();
    store.apply(0, 2); // 0..1
    store.apply(5, 2); // 5..6
    store.apply(9, 1); // 9
    expect(store.apply(1, 10)).toEqual([
      { idFirst: 2, count: 3 },
      { idFirst: 7, count: 2 },
      { idFirst: 10, count: 1 },
    ]);
    expect(store.ranges()).toEqual([{ idFirst: 0, count: 11 }]);
    store.apply(11, 1);
    expect(store.rangeCount).toBe(1);
    store.apply(20, 1);
    expect(store.ranges()).toEqual([
      { idFirst: 0, count: 12 },
      { idFirst: 20, count: 1 },
    ]);
    expect(store.appliedCount).toBe(13);
  });

  it("agrees with a plain set of ids for any sequence of ranges", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ idFirst: fc.nat(60), count: fc.integer({ min: 1, max: 12 }) }), { maxLength: 40 }), (ranges) => {
        const store = new IdempotentConsumer();
        const seen = new Set<number>();
        for (const range of ranges) {
          const expected: number[] = [];
          for (let id = range.idFirst; id < range.idFirst + range.count; id++) {
            if (!seen.has(id)) expected.push(id);
            seen.add(id);
          }
          const fresh = store.apply(range.idFirst, range.count).flatMap((r) => Array.from({ length: r.count }, (_, k) => r.idFirst + k));
          expect(fresh).toEqual(expected);
        }
        expect(store.appliedCount).toBe(seen.size);
        for (let id = 0; id < 80; id++) expect(store.hasApplied(id)).toBe(seen.has(id));
        const stored = store.ranges();
        for (let k = 1; k < stored.length; k++) {
          // Disjoint and never touching: the store stays as small as the id set allows.
          expect(stored[k]!.idFirst).toBeGreaterThan(stored[k - 1]!.idFirst + stored[k - 1]!.count);
        }
      }),
    );
  });
});
