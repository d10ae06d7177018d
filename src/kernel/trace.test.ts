import { describe, expect, it } from "vitest";
import { SimulatorBug } from "./assert.js";
import { Digest64 } from "./digest.js";
import { Trace } from "./trace.js";

function traceWith(bufferRecordsMax: number) {
  const clock = { now: 0 };
  const trace = new Trace(clock, new Digest64(), { bufferRecordsMax });
  return { clock, trace };
}

describe("Trace buffer", () => {
  it("keeps the last N records, oldest first", () => {
    const { clock, trace } = traceWith(4);
    for (let i = 0; i < 10; i++) {
      clock.now = i * 100;
      trace.record("tick", `n${i}`, i);
    }
    expect(trace.recordCount).toBe(10);
    const records = trace.records();
    expect(records.map((r) => r.subject)).toEqual(["n6", "n7", "n8", "n9"]);
    expect(records.map((r) => r.timeNs)).toEqual([600, 700, 800, 900]);
    expect(records[0]).toEqual({ timeNs: 600, kind: "tick", subject: "n6", a: 6, b: 0, c: 0 });
  });

  it("returns every record while the buffer is not yet full, and at exactly full", () => {
    const { trace } = traceWith(3);
    trace.record("a", "x");
    trace.record("b", "x");
    expect(trace.records().map((r) => r.kind)).toEqual(["a", "b"]);
    trace.record("c", "x");
    expect(trace.records().map((r) => r.kind)).toEqual(["a", "b", "c"]);
    trace.record("d", "x");
    expect(trace.records().map((r) => r.kind)).toEqual(["b", "c", "d"]);
  });

  it("keeps nothing with a zero-size buffer but still counts and digests", () => {
    const { trace } = traceWith(0);
    const before = trace.digestHex();
    trace.record("a", "x");
    expect(trace.records()).toEqual([]);
    expect(trace.recordCount).toBe(1);
    expect(trace.digestHex()).not.toBe(before);
  });

  it("returns a copy that later records do not change", () => {
    const { trace } = traceWith(2);
    trace.record("a", "x");
    const snapshot = trace.records();
    trace.record("b", "x");
    trace.record("c", "x");
    expect(snapshot.map((r) => r.kind)).toEqual(["a"]);
  });

  it("rejects a bad buffer size", () => {
    expect(() => new Trace({ now: 0 }, new Digest64(), { bufferRecordsMax: -1 })).toThrow(SimulatorBug);
  });
});

describe("Trace digest", () => {
  type Step = [timeNs: number, kind: string, subject: string, a: number, b: number, c: number];
  const steps: Step[] = [
    [0, "node.start", "b1", 0, 0, 0],
    [1500, "net.deliver", "b1->b2", 42, 1024, 0],
    [1500, "disk.fsync", "b2:/data/p0.log", 7, 0, 3],
  ];

  function digestOf(list: Step[]): string {
    const { clock, trace } = traceWith(0);
    for (const [timeNs, kind, subject, a, b, c] of list) {
      clock.now = timeNs;
      trace.record(kind, subject, a, b, c);
    }
    return trace.digestHex();
  }

  it("is identical for identical records and covers every field", () => {
    const reference = digestOf(steps);
    expect(digestOf(steps.map((s) => [...s] as Step))).toBe(reference);
    for (let field = 0; field < 6; field++) {
      const changed = steps.map((s) => [...s] as Step);
      const target = changed[1]!;
      target[field] = typeof target[field] === "number" ? (target[field] as number) + 1 : `${target[field]}!`;
      expect(digestOf(changed), `field ${field}`).not.toBe(reference);
    }
  });
});
