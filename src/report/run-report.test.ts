import { describe, expect, it } from "vitest";
import { fixtureRunSummary } from "./report-fixture.js";
import { renderRunCharts, runChartFiles } from "./run-charts.js";
import { renderRunHtml, renderRunMarkdown } from "./run-report.js";
import type { RunSummary } from "./run-summary.js";

const XSS = "<script>alert(1)</script>";

function hostileSummary(): RunSummary {
  const summary = fixtureRunSummary();
  summary.scenario = `evil ${XSS}`;
  summary.checks.push({
    check: "lost",
    ok: false,
    line: `lost: 1 lost ${XSS}`,
    first: { message: `message ${XSS} was acked but never read`, timeNs: 3_200_000_000, eventIndex: 812 },
  });
  summary.verdict = "safety-failed";
  summary.traffic.byNode.push({ node: `<img src=x onerror=alert(2)>`, sentBytes: 1, receivedBytes: 2 });
  summary.faults.push({ atNs: 4_000_000_000, verb: "heal", name: XSS, line: `4 s partition {"name":"${XSS}"}` });
  summary.liveness = { isConverged: false, convergedAtNs: 0, reasons: [`group ${XSS} not drained`] };
  return summary;
}

describe("run report HTML", () => {
  it("escapes user-supplied strings: scenario name, check messages, node names, fault lines", () => {
    const html = renderRunHtml(hostileSummary(), []);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("evil &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("message &lt;script&gt;alert(1)&lt;/script&gt; was acked but never read");
    expect(html).toContain("&lt;img src=x onerror=alert(2)&gt;");
    expect(html).toContain("partition {&quot;name&quot;:&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;}");
    // The replay command quotes the scenario for the shell, then the page escapes it for HTML.
    expect(html).toContain("npx mqsim replay &#39;evil &lt;script&gt;alert(1)&lt;/script&gt;&#39; --seed 42");
  });

  it("is self-contained: inline style and SVG, no scripts, no external resources", async () => {
    const summary = fixtureRunSummary();
    const html = renderRunHtml(summary, await renderRunCharts(summary));
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain("<style>");
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|\ssrc=|url\(http|href="http/i);
    expect((html.match(/<svg/g) ?? []).length).toBe(runChartFiles().length);
  });

  it("has the header, the summary numbers, checks, faults and the replay command", () => {
    const summary = hostileSummary();
    const html = renderRunHtml(summary, []);
    for (const text of [
      "<dt>seed</dt><dd>42</dd>",
      "<dt>digest</dt><dd>9f3c2a71d04be6e5</dd>",
      `<dd class="bad">safety-failed</dd>`,
      "1,950/s",
      "1.82 ms",
      "5.34 ms",
      "1.54 s",
      "kafka-data",
      "31.9 MB",
      "0.12 MB/s",
      "FAILED",
      "(at 3.200 s, event #812)",
      "1.250 s",
      "3 s processCrash b1",
      "kafka.isr.shrink",
    ]) {
      expect(html).toContain(text);
    }
  });
});

describe("run report Markdown", () => {
  it("links the chart files and escapes user strings", () => {
    const md = renderRunMarkdown(hostileSummary(), runChartFiles());
    expect(md).toContain("![Latency CDF](latency-cdf.svg)");
    // Outside code blocks (which show text literally, as code) no raw markup survives.
    const prose = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "");
    expect(prose).not.toMatch(/(?<!\\)<(?:script|img)/);
    expect(md).toContain("evil \\<script\\>alert(1)\\</script\\>");
    // Fault lines and the replay command sit in code blocks, where text is literal.
    expect(md).toContain("```sh\n3 s processCrash b1\n15 s restart b1\n");
    expect(md).toContain("npx mqsim replay 'evil <script>alert(1)</script>' --seed 42");
  });

  it("matches the HTML page's numbers (both come from one document)", () => {
    const summary = fixtureRunSummary();
    const md = renderRunMarkdown(summary, runChartFiles());
    expect(md).toContain("| produce (send → ack) | 4,000 | 1.82 ms | 5.34 ms | 1.54 s | 2.40 s |");
    expect(md).toContain("| lost | ok | lost: ok (39000 acked, 1 group) |   |");
  });
});

describe("run report: bytes between the system's nodes", () => {
  it("shows the inter-node bytes per acknowledged byte, the replication share and each message kind when the summary has them", () => {
    const summary = fixtureRunSummary();
    summary.interNode = {
      bytes: 4_000_000,
      perAckedByte: 2,
      replicationBytes: 3_000_000,
      replicationPerAckedByte: 1.5,
      byKind: [
        { kind: "mirror-publish", bytes: 3_000_000 },
        { kind: "deliver", bytes: 1_000_000 },
      ],
    };
    const md = renderRunMarkdown(summary, runChartFiles());
    expect(md).toContain("| between the system's nodes | bytes on the wire | per acknowledged payload byte |");
    expect(md).toContain("| replication (mirrors, Raft) | 3.00 MB | 1.50 |");
    expect(md).toContain("| message kind mirror-publish | 3.00 MB | 1.50 |");
    expect(md).toContain("| message kind deliver | 1.00 MB | 0.50 |");
    delete summary.interNode;
    expect(renderRunMarkdown(summary, runChartFiles())).not.toContain("between the system's nodes");
  });
});
