import { describe, expect, it } from "vitest";
import { NS_PER_SEC } from "../kernel/time.js";
import { clusterTimeline, NETWORK_LANE, STREAM_LANES_MAX } from "./cluster-timeline.js";
import { clusterTimelineChart } from "./cluster-timeline-chart.js";
import { fixtureRunSummary } from "./report-fixture.js";
import type { LostMessageStory, RunSummary } from "./run-summary.js";

const story = (stream: string, idFirst: number, ackedAtNs: number): LostMessageStory => ({
  check: "lost",
  kind: "lost",
  idFirst,
  count: 1,
  client: "p1",
  stream,
  position: idFirst,
  ackedAtNs,
  ackedBy: "b1",
  leaderAtAck: null,
  after: [],
  fate: "truncated away",
});

describe("the cluster timeline's rows", () => {
  it("has a lane per faulted node, then per stream, with leaders' terms, the crash, and marks", () => {
    const timeline = clusterTimeline(fixtureRunSummary());
    expect(timeline.lanes).toEqual(["node b1", "orders-0", "orders-1"]);
    const terms = timeline.bars.filter((bar) => bar.lane === "orders-0").map((bar) => [bar.who, bar.label, bar.startSeconds, bar.endSeconds]);
    expect(terms).toEqual([
      ["b1", "b1 e1", 0, 3.5],
      ["b2", "b2 e2", 3.5, timeline.endSeconds],
    ]);
    expect(timeline.bars.find((bar) => bar.lane === "node b1")).toMatchObject({ who: "fault", label: "processCrash", startSeconds: 3, endSeconds: 15 });
    expect(timeline.marks.map((mark) => [mark.lane, mark.what])).toEqual([
      ["orders-0", "in-sync set changed"],
      ["orders-0", "in-sync set changed"],
      ["node b1", "declared up"],
      ["node b1", "declared down"],
      ["orders-0", "truncation"],
    ]);
  });

  it("puts streams with lost messages first, keeps a network lane for partitions, and caps stream lanes", () => {
    const summary: RunSummary = fixtureRunSummary();
    const many = Array.from({ length: 20 }, (_, k) => ({ timeNs: k, kind: "leader", stream: `s-${String(k).padStart(2, "0")}`, node: "b2", epoch: 1, detail: "", toPosition: -1 }));
    summary.cluster = { events: [...summary.cluster!.events, ...many], leftOut: 0 };
    summary.lostMessages = [story("orders-1", 7, 2 * NS_PER_SEC)];
    summary.faults = [...summary.faults, { atNs: 4 * NS_PER_SEC, verb: "partition", spec: { kind: "isolate", nodes: ["b3"] }, name: "cut-b3", line: "4 s partition cut-b3" }];
    const timeline = clusterTimeline(summary);
    expect(timeline.lanes.slice(0, 4)).toEqual(["node b1", NETWORK_LANE, "orders-1", "orders-0"]);
    expect(timeline.lanes.length).toBe(2 + STREAM_LANES_MAX);
    expect(timeline.streamsLeftOut).toBe(22 - STREAM_LANES_MAX);
    expect(timeline.marks.at(-1)).toMatchObject({ lane: "orders-1", what: "lost message acked", seconds: 2 });
  });

  it("draws the lanes' names, the leaders and the truncation's detail into the SVG", async () => {
    const svg = await clusterTimelineChart(fixtureRunSummary());
    for (const text of ["node b1", "orders-0", "b2 e2", "processCrash", "b1: offset 7120 → 7100"]) expect(svg).toContain(text);
  });
});
