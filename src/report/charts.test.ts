import { describe, expect, it } from "vitest";
import { backlogChart } from "./backlog-chart.js";
import { clusterTimelineChart } from "./cluster-timeline-chart.js";
import { latencyTimelineChart } from "./latency-timeline-chart.js";
import { bytesPerLinkChart, MAX_LINKS } from "./bytes-per-link-chart.js";
import { latencyCdfChart } from "./latency-cdf-chart.js";
import { renderVegaLite } from "./render-svg.js";
import { fixtureRunSummary, fixtureSweepSummary } from "./report-fixture.js";
import type { RunSummary } from "./run-summary.js";
import { sweepLinesChart } from "./sweep-lines-chart.js";
import { throughputTimelineChart } from "./throughput-timeline-chart.js";

const charts: [string, (s: RunSummary) => Promise<string>][] = [
  ["latency CDF", latencyCdfChart],
  ["throughput", throughputTimelineChart],
  ["cluster timeline", clusterTimelineChart],
  ["latency timeline", latencyTimelineChart],
  ["backlog", backlogChart],
  ["bytes per link", bytesPerLinkChart],
  ["sweep lines", () => sweepLinesChart(fixtureSweepSummary().points, "producer.rate", "produceP99Ns", "acks")],
];

/** Marks vega draws for lines, bars and points, as opposed to axes and legends. */
function markCount(svg: string): number {
  return (svg.match(/<path[^>]*aria-roledescription="(?:line mark|bar|point)"|class="mark-(?:line|rect|symbol) role-mark/g) ?? []).length;
}

describe("charts", () => {
  it.each(charts)("%s renders an SVG with marks, identically every time, in well under a second", async (_, render) => {
    const summary = fixtureRunSummary();
    const started = process.hrtime.bigint();
    const first = await render(summary);
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    const second = await render(summary);
    expect(first.startsWith("<svg")).toBe(true);
    expect(first.endsWith("</svg>")).toBe(true);
    expect(markCount(first)).toBeGreaterThan(0);
    expect(second).toBe(first);
    // Generous against slow CI machines; typical renders take 10-60 ms once vega is loaded.
    expect(elapsedMs).toBeLessThan(2000);
  });

  it("escapes user strings that reach the SVG as labels", async () => {
    const summary = fixtureRunSummary();
    summary.traffic.byLink = [{ from: "<script>alert(1)</script>", to: "b&2", bytes: 1000 }];
    summary.timeline.backlogByGroup = [{ group: `"><img src=x onerror=alert(1)>`, values: [1, 2, 3] }];
    const svgs = [await bytesPerLinkChart(summary), await backlogChart(summary)];
    for (const svg of svgs) {
      expect(svg).not.toContain("<script");
      expect(svg).not.toContain("<img");
    }
    expect(svgs[0]).toContain("&lt;script&gt;");
  });

  it("says why instead of drawing an empty chart", async () => {
    const summary = fixtureRunSummary();
    summary.latency = { produce: { ...summary.latency.produce, count: 0, cdf: [] }, endToEnd: null };
    summary.timeline.backlogByGroup = [];
    summary.traffic.byLink = [];
    expect(await latencyCdfChart(summary)).toContain("nothing was acknowledged");
    expect(await backlogChart(summary)).toContain("no consumer groups");
    expect(await bytesPerLinkChart(summary)).toContain("no bytes on any link");
  });

  it("keeps the largest links and says how many were left out", async () => {
    const summary = fixtureRunSummary();
    summary.traffic.byLink = Array.from({ length: MAX_LINKS + 5 }, (_, k) => ({ from: `n${k}`, to: "b1", bytes: 1000 + k }));
    const svg = await bytesPerLinkChart(summary);
    expect(svg).toContain(`largest ${MAX_LINKS} of ${MAX_LINKS + 5}`);
    expect(svg).not.toContain(">n0 →");
  });

  it("gives clip paths ids that are stable and prefixed by the chart", async () => {
    const spec = {
      data: { values: [{ x: 1, y: 2 }, { x: 3, y: 9 }] },
      mark: { type: "line" as const, clip: true },
      encoding: { x: { field: "x", type: "quantitative" as const, scale: { domain: [0, 2] } }, y: { field: "y", type: "quantitative" as const } },
    };
    const a = await renderVegaLite(spec, "one");
    const b = await renderVegaLite(spec, "one");
    expect(a).toBe(b);
    expect(a).toMatch(/id="one-def1"/);
    expect(a).toContain("url(#one-def1)");
    expect(a).not.toMatch(/id="clip\d+"/);
  });

  it("refuses chart ids that are not plain identifiers", async () => {
    await expect(renderVegaLite({ mark: "point", data: { values: [] } }, `x" onload="y`)).rejects.toThrow(/chart id/);
  });
});
