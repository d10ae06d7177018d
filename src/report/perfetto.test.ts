import { describe, expect, it } from "vitest";
import { chromeTraceJson, toChromeTrace, type ChromeTrace, type TraceEvent, type TraceInput } from "./perfetto.js";

const MS = 1_000_000;

function input(): TraceInput {
  return {
    nodes: [{ name: "controller", kind: "controller" }, { name: "b1", kind: "broker" }, { name: "b2", kind: "broker" }, { name: "p1", kind: "producer" }],
    faults: [
      { atNs: 3000 * MS, verb: "processCrash", target: "b1", endNs: 15000 * MS, detail: "3000.000000ms processCrash b1" },
      { atNs: 4000 * MS, verb: "partition", target: "isolate-b2", endNs: 6000 * MS },
      { atNs: 5000 * MS, verb: "slowDisk", target: "b2", endNs: 9000 * MS },
      { atNs: 7000 * MS, verb: "pause", target: "b2" },
      { atNs: 20000 * MS, verb: "healAll", target: "all" },
    ],
    batches: [
      // Three batches in flight at once from p1, so they need three lanes.
      { client: "p1", broker: "b1", sentNs: 1 * MS, ackedNs: 5 * MS, appendedNs: 2 * MS, messages: 10, label: "t-0 [0..9]" },
      { client: "p1", broker: "b2", sentNs: 2 * MS, ackedNs: 4 * MS, messages: 10 },
      { client: "p1", broker: "b1", sentNs: 3 * MS, ackedNs: 6 * MS, messages: 10 },
      { client: "p1", broker: "b1", sentNs: 2999 * MS, ackedNs: null, messages: 10 },
      // A client the node list does not name is added as a process.
      { client: "p2", broker: "b2", sentNs: 7 * MS + 123, ackedNs: 8 * MS + 456, messages: 1 },
    ],
    endNs: 35_000 * MS,
    metadata: { seed: "42", scenario: "demo" },
  };
}

const timed = (trace: ChromeTrace): TraceEvent[] => trace.traceEvents.filter((e) => e.ph !== "M");

/** Slices on one thread must not overlap (they may only nest, and these never do): the rule that makes lanes necessary. */
function expectSlicesDisjointPerThread(trace: ChromeTrace): void {
  const byThread = new Map<string, TraceEvent[]>();
  for (const event of trace.traceEvents.filter((e) => e.ph === "X")) {
    const key = `${event.pid}/${event.tid}`;
    byThread.set(key, [...(byThread.get(key) ?? []), event]);
  }
  for (const slices of byThread.values()) {
    slices.sort((a, b) => a.ts! - b.ts!);
    for (let k = 1; k < slices.length; k++) expect(slices[k]!.ts!).toBeGreaterThan(slices[k - 1]!.ts! + slices[k - 1]!.dur!);
  }
}

describe("Chrome/Perfetto trace export", () => {
  it("uses only the format's phases, numeric microsecond timestamps, and sorted events", () => {
    const trace = toChromeTrace(input());
    expect(trace.displayTimeUnit).toBe("ns");
    for (const event of trace.traceEvents) {
      expect(["X", "i", "s", "f", "M"]).toContain(event.ph);
      expect(Number.isInteger(event.pid) && event.pid > 0).toBe(true);
      expect(Number.isInteger(event.tid)).toBe(true);
      if (event.ph === "M") continue;
      expect(typeof event.ts).toBe("number");
      if (event.ph === "X") expect(event.dur!).toBeGreaterThanOrEqual(0);
    }
    const ts = timed(trace).map((e) => e.ts!);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // ns → µs exactly: 7 ms + 123 ns.
    expect(ts).toContain(7000.123);
  });

  it("names every process and thread it uses, nodes first in the given order", () => {
    const trace = toChromeTrace(input());
    const meta = trace.traceEvents.filter((e) => e.ph === "M");
    const processNames = meta.filter((e) => e.name === "process_name").map((e) => e.args!["name"]);
    expect(processNames).toEqual(["controller (controller)", "b1 (broker)", "b2 (broker)", "p1 (producer)", "p2", "network (partitions)"]);
    const named = new Set(meta.filter((e) => e.name === "thread_name").map((e) => `${e.pid}/${e.tid}`));
    for (const event of timed(trace)) expect(named.has(`${event.pid}/${event.tid}`)).toBe(true);
    const pids = new Set(meta.filter((e) => e.name === "process_name").map((e) => e.pid));
    for (const event of timed(trace)) expect(pids.has(event.pid)).toBe(true);
    // Thread ids are unique across processes.
    const tidOwners = new Map<number, number>();
    for (const e of meta.filter((m) => m.name === "thread_name")) {
      expect(tidOwners.get(e.tid) ?? e.pid).toBe(e.pid);
      tidOwners.set(e.tid, e.pid);
    }
  });

  it("puts node faults on the node's faults track and partitions on network tracks", () => {
    const trace = toChromeTrace(input());
    const pidOf = (name: string): number => trace.traceEvents.find((e) => e.name === "process_name" && String(e.args!["name"]).startsWith(name))!.pid;
    const crash = trace.traceEvents.find((e) => e.name === "processCrash")!;
    expect(crash).toMatchObject({ ph: "X", pid: pidOf("b1 "), ts: 3_000_000, dur: 12_000_000, args: { detail: "3000.000000ms processCrash b1" } });
    expect(trace.traceEvents.find((e) => e.name === "pause")).toMatchObject({ ph: "i", s: "t", pid: pidOf("b2 ") });
    expect(trace.traceEvents.find((e) => e.name === "partition")).toMatchObject({ ph: "X", pid: pidOf("network") });
    const threadName = (e: TraceEvent): unknown =>
      trace.traceEvents.find((m) => m.name === "thread_name" && m.pid === e.pid && m.tid === e.tid)!.args!["name"];
    expect(threadName(crash)).toBe("faults");
    expect(threadName(trace.traceEvents.find((e) => e.name === "partition")!)).toBe("isolate-b2");
    expectSlicesDisjointPerThread(trace);
  });

  it("joins each acknowledged batch's client slice to its broker slice with a flow", () => {
    const trace = toChromeTrace(input());
    const starts = trace.traceEvents.filter((e) => e.ph === "s");
    const ends = trace.traceEvents.filter((e) => e.ph === "f");
    expect(starts).toHaveLength(4);
    expect(ends.map((e) => e.id).sort((a, b) => a! - b!)).toEqual(starts.map((e) => e.id).sort((a, b) => a! - b!));
    const slices = trace.traceEvents.filter((e) => e.ph === "X");
    const encloses = (flow: TraceEvent): TraceEvent | undefined =>
      slices.find((x) => x.pid === flow.pid && x.tid === flow.tid && x.ts! <= flow.ts! && flow.ts! <= x.ts! + x.dur!);
    for (const start of starts) {
      const end = ends.find((e) => e.id === start.id)!;
      expect(end.bp).toBe("e");
      expect([end.cat, end.name]).toEqual([start.cat, start.name]);
      expect(encloses(start)).toBeDefined();
      expect(encloses(end)).toBeDefined();
      expect(end.pid).not.toBe(start.pid);
      // A flow event comes after the slice it binds to, for viewers that bind in file order at equal timestamps.
      expect(trace.traceEvents.indexOf(start)).toBeGreaterThan(trace.traceEvents.indexOf(encloses(start)!));
      expect(trace.traceEvents.indexOf(end)).toBeGreaterThan(trace.traceEvents.indexOf(encloses(end)!));
    }
    // The broker's slice starts at the append time when it is known.
    expect(trace.traceEvents.find((e) => e.name === "t-0 [0..9] from p1")).toMatchObject({ ts: 2000, dur: 3000 });
    // The unacknowledged batch runs to the end of the run and has no arrow.
    expect(trace.traceEvents.find((e) => e.name === "batch (no ack)")).toMatchObject({ ts: 2_999_000, dur: 32_001_000, args: { acked: false } });
    expectSlicesDisjointPerThread(trace);
  });

  it("groups a client's lanes by the broker each batch went to, and ends a refused batch when its client learnt so", () => {
    const trace = toChromeTrace({
      nodes: [{ name: "b1" }, { name: "b2" }],
      faults: [],
      batches: [
        { client: "p1", broker: "b1", sentNs: 1 * MS, ackedNs: 3 * MS },
        { client: "p1", broker: "b2", sentNs: 1 * MS, ackedNs: 3 * MS },
        { client: "p1", broker: "b1", sentNs: 2 * MS, ackedNs: 4 * MS },
        // Refused at 5 ms: its lane is free again after that, so the next refused batch reuses it.
        { client: "p1", broker: "b2", sentNs: 4 * MS, ackedNs: null, answeredNs: 5 * MS, label: "refused" },
        { client: "p1", broker: "b2", sentNs: 6 * MS, ackedNs: null, answeredNs: 7 * MS, label: "refused" },
      ],
      endNs: 100 * MS,
    });
    const p1 = trace.traceEvents.find((e) => e.name === "process_name" && e.args!["name"] === "p1")!.pid;
    const lanes = trace.traceEvents.filter((e) => e.name === "thread_name" && e.pid === p1).map((e) => e.args!["name"]);
    expect(lanes).toEqual(["→ b1 · 1", "→ b1 · 2", "→ b2 · 1"]);
    const refused = trace.traceEvents.filter((e) => e.name === "refused (no ack)");
    expect(refused.map((e) => [e.ts, e.dur])).toEqual([
      [4000, 1000],
      [6000, 1000],
    ]);
    expectSlicesDisjointPerThread(trace);
  });

  it("draws the cluster log: each leader's term as a slice until the stream's next leader, the rest as instants, detectors' verdicts on the node", () => {
    const trace = toChromeTrace({
      nodes: [{ name: "b1" }, { name: "b2" }],
      faults: [],
      batches: [],
      clusterEvents: [
        { timeNs: 0, kind: "leader", stream: "t-0", node: "b1", epoch: 1, detail: "preferred replica" },
        { timeNs: 0, kind: "leader", stream: "t-1", node: "b2", epoch: 1, detail: "preferred replica" },
        { timeNs: 4 * MS, kind: "node-down", stream: "", node: "b1", epoch: -1, detail: "fenced by the controller" },
        { timeNs: 4 * MS, kind: "leader", stream: "t-0", node: "b2", epoch: 2, detail: "unclean election" },
        { timeNs: 6 * MS, kind: "truncation", stream: "t-0", node: "b1", epoch: 2, detail: "offset 80 → 21" },
      ],
      endNs: 10 * MS,
    });
    const cluster = trace.traceEvents.filter((e) => e.cat === "cluster");
    expect(cluster.filter((e) => e.ph === "X").map((e) => [e.name, e.ts, e.dur])).toEqual([
      ["leader b1 (epoch 1)", 0, 4000],
      ["leader b2 (epoch 1)", 0, 10000],
      ["leader b2 (epoch 2)", 4000, 6000],
    ]);
    const threadName = (e: TraceEvent): unknown => trace.traceEvents.find((m) => m.name === "thread_name" && m.pid === e.pid && m.tid === e.tid)!.args!["name"];
    const truncation = cluster.find((e) => e.name === "truncation b1")!;
    expect(truncation).toMatchObject({ ph: "i", args: { detail: "offset 80 → 21", epoch: 2 } });
    expect(threadName(truncation)).toBe("t-0");
    const down = cluster.find((e) => e.name === "node-down b1")!;
    expect(threadName(down)).toBe("failure detector");
    expect(down.pid).toBe(trace.traceEvents.find((e) => e.name === "process_name" && e.args!["name"] === "b1")!.pid);
  });

  it("caps batches and says how many it left out", () => {
    const trace = toChromeTrace(input(), { maxBatches: 2 });
    expect(trace.otherData).toEqual({ scenario: "demo", seed: "42", batches: 2, batchesLeftOut: 3 });
    expect(trace.traceEvents.filter((e) => e.ph === "s")).toHaveLength(2);
  });

  it("serialises to valid, deterministic JSON", () => {
    const text = chromeTraceJson(input());
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(toChromeTrace(input()))));
    expect(chromeTraceJson(input())).toBe(text);
  });

  it("rejects intervals that run backwards", () => {
    const bad = input();
    bad.batches.push({ client: "p1", broker: "b1", sentNs: 10 * MS, ackedNs: 9 * MS });
    expect(() => toChromeTrace(bad)).toThrow(/not a forward interval/);
  });
});
