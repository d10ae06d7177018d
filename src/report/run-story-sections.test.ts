import { describe, expect, it } from "vitest";
import { NS_PER_SEC } from "../kernel/time.js";
import { throughputTimelineChart } from "./throughput-timeline-chart.js";
import { fixtureRunSummary } from "./report-fixture.js";
import { cellText } from "./report-blocks.js";
import { clusterEventsSection, CLUSTER_EVENTS_SHOWN, lostMessagesSection } from "./run-story-sections.js";
import type { LostMessageStory } from "./run-summary.js";

const lost = (idFirst: number, position: number, fate: string): LostMessageStory => ({
  check: "lost",
  kind: "lost",
  idFirst,
  count: 1,
  client: "p1",
  stream: "orders-0",
  position,
  ackedAtNs: 3 * NS_PER_SEC + idFirst,
  ackedBy: "b1",
  leaderAtAck: { node: "b1", epoch: 1, atNs: 0 },
  after: [{ timeNs: 3.5 * NS_PER_SEC, kind: "leader", stream: "orders-0", node: "b2", epoch: 2, detail: "clean election" }],
  fate,
});

describe("the run report's story sections", () => {
  it("list lost messages, merging neighbours with the same story, and what the cluster did after the first", () => {
    const summary = fixtureRunSummary();
    summary.lostMessages = [lost(10, 5, "fate A"), lost(12, 6, "fate A"), lost(14, 7, "fate B")];
    const section = lostMessagesSection(summary)!;
    const table = section.blocks.find((block) => block.kind === "table")!;
    if (table.kind !== "table") throw new Error("no table");
    expect(table.table.rows.map((row) => row.map(cellText))).toEqual([
      ["lost: 2 messages, #10…#12", "orders-0 @ 5…6", "3.000 s–3.000 s by b1 to p1", "b1 (epoch 1)", "fate A"],
      ["lost #14", "orders-0 @ 7", "3.000 s by b1 to p1", "b1 (epoch 1)", "fate B"],
    ]);
    expect(section.blocks.at(-1)).toEqual({ kind: "list", items: ["3.500 s leader orders-0 b2 (epoch 2): clean election"] });
  });

  it("leave the sections out when there is nothing to tell", () => {
    const summary = fixtureRunSummary();
    expect(lostMessagesSection(summary)).toBeNull();
    delete summary.cluster;
    expect(clusterEventsSection(summary)).toBeNull();
  });

  it("list the cluster's events, and say how many more there are", () => {
    const summary = fixtureRunSummary();
    const base = summary.cluster!.events[0]!;
    summary.cluster = { events: Array.from({ length: CLUSTER_EVENTS_SHOWN + 5 }, (_, k) => ({ ...base, timeNs: k })), leftOut: 7 };
    const section = clusterEventsSection(summary)!;
    expect(section.blocks.at(-1)).toEqual({ kind: "paragraph", text: "12 more events: summary.json lists the first 65, and the Perfetto trace (--trace) has every one." });
  });

  it("put the faults as labelled bands behind a time chart", async () => {
    const svg = await throughputTimelineChart(fixtureRunSummary());
    expect(svg).toContain("processCrash b1");
    expect(svg).toMatch(/aria-label="startSeconds: 3; endSeconds: 15"/);
  });
});
