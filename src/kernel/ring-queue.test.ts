import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RingQueue } from "./ring-queue.js";

describe("RingQueue", () => {
  it("behaves as an array used as a queue, over any sequence of operations", () => {
    type Op = { kind: "push"; value: number } | { kind: "shift" } | { kind: "removeAt"; index: number } | { kind: "clear" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 5, arbitrary: fc.integer().map((value) => ({ kind: "push" as const, value })) },
      { weight: 4, arbitrary: fc.constant({ kind: "shift" as const }) },
      { weight: 1, arbitrary: fc.nat(40).map((index) => ({ kind: "removeAt" as const, index })) },
      { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 1, max: 9 }), (ops, capacity) => {
        const ring = new RingQueue<number>(capacity);
        const model: number[] = [];
        for (const o of ops) {
          if (o.kind === "push") {
            ring.push(o.value);
            model.push(o.value);
          } else if (o.kind === "shift") {
            expect(ring.shift()).toBe(model.shift());
          } else if (o.kind === "removeAt") {
            if (o.index < model.length) expect(ring.removeAt(o.index)).toBe(model.splice(o.index, 1)[0]);
          } else {
            ring.clear();
            model.length = 0;
          }
          expect(ring.length).toBe(model.length);
          expect(ring.peek()).toBe(model[0]);
        }
        expect(ring.toArray()).toEqual(model);
        for (let k = 0; k < model.length; k++) expect(ring.at(k)).toBe(model[k]);
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it("refuses an index outside the queue: a simulator bug, not undefined", () => {
    const ring = new RingQueue<string>();
    ring.push("a");
    expect(() => ring.at(1)).toThrow(/index 1 outside 0..0/);
    expect(() => ring.removeAt(-1)).toThrow(/outside/);
  });

  it("does not keep items alive once shifted or cleared", () => {
    const ring = new RingQueue<object>(2);
    ring.push({});
    ring.push({});
    ring.shift();
    ring.clear();
    // The buffer's slots are empty: nothing the queue let go of is still referenced by it.
    expect((ring as unknown as { items: unknown[] }).items.every((slot) => slot === undefined)).toBe(true);
  });
});
