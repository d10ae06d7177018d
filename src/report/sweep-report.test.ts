import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sweepValueOrder } from "./sweep-lines-chart.js";
import { fixtureRunSummary, fixtureSweepSummary } from "./report-fixture.js";
import { renderSweepCharts } from "./sweep-charts.js";
import { renderSweepHtml, renderSweepMarkdown } from "./sweep-report.js";
import { sweepPointFromRun } from "./sweep-summary.js";
import { writeSweepReport } from "./write-sweep-report.js";

describe("sweep report", () => {
  it("tabulates every point: parameter values, throughput, p99, verdict, bottleneck", () => {
    const md = renderSweepMarkdown(fixtureSweepSummary(), []);
    expect(md).toContain(
      "| producer.rate | acks | acked messages/s | produce p50 | produce p99 | end-to-end p99 | verdict | bottleneck | seed |",
    );
    expect(md).toContain("| 100000 | 1 | 71,500/s | 7.20 ms | 24.0 ms | 29.0 ms | **safety-failed** | b1 disk | 42 |");
    expect(md).toContain("| 10000 | all | 10,000/s | 1.44 ms | 4.80 ms | 9.80 ms | ok |   | 42 |");
  });

  it("leaves out the bottleneck column when no point names one", () => {
    const sweep = fixtureSweepSummary();
    for (const point of sweep.points) point.bottleneck = undefined;
    expect(renderSweepMarkdown(sweep, [])).not.toContain("bottleneck");
  });

  it("draws throughput and latency lines against the first parameter, one line per value of the second", async () => {
    const sweep = fixtureSweepSummary();
    const charts = await renderSweepCharts(sweep);
    expect(charts.map((chart) => chart.file)).toEqual(["sweep-throughput.svg", "sweep-produce-p99.svg", "sweep-end-to-end-p99.svg"]);
    for (const chart of charts) {
      expect(chart.svg).toContain("acks=1");
      expect(chart.svg).toContain("acks=all");
    }
    const html = renderSweepHtml(sweep, charts);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
    expect(html).not.toMatch(/<script/);
  });

  it("escapes user strings in the sweep pages", () => {
    const sweep = fixtureSweepSummary();
    sweep.scenario = "<script>alert(1)</script>";
    sweep.points[0]!.bottleneck = "<b>disk</b>";
    const html = renderSweepHtml(sweep, []);
    expect(html).not.toMatch(/<script|<b>/);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;b&gt;disk&lt;/b&gt;");
  });

  it("reduces a run to a point", () => {
    const point = sweepPointFromRun([{ name: "producer.rate", value: 2000 }], fixtureRunSummary(), "b1 disk");
    expect(point).toMatchObject({ seed: "42", verdict: "ok", bottleneck: "b1 disk", metrics: { ackedPerSec: 1950, produceP99Ns: fixtureRunSummary().latency.produce.p99Ns } });
  });

  it("writes the sweep's files", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mqsim-sweep-"));
    try {
      await writeSweepReport(dir, fixtureSweepSummary());
      const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      expect(names).toEqual(["sweep-end-to-end-p99.svg", "sweep-produce-p99.svg", "sweep-throughput.svg", "sweep.html", "sweep.json", "sweep.md"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("sweep chart axes", () => {
  it("values with units sort by magnitude, not as text: 2k/s, 20k/s, 60k/s, 120k/s", () => {
    expect(sweepValueOrder(["120k/s", "20k/s", "2k/s", "60k/s"])).toEqual(["2k/s", "20k/s", "60k/s", "120k/s"]);
    expect(sweepValueOrder(["1s", "250ms", "2s"])).toEqual(["250ms", "1s", "2s"]);
    expect(sweepValueOrder([5, 3, 10])).toEqual([3, 5, 10]);
    expect(sweepValueOrder(["all", "1"])).toEqual(["1", "all"]);
  });
});
