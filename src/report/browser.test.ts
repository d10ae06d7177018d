/**
 * The browser check: the HTML report, as written to disk, opened in headless
 * Chromium. It must show every chart as an SVG with marks in it, log no
 * console error (a CSP violation would be one), throw no page error, and
 * request nothing but the page itself.
 *
 * Chromium is the Debian package, driven by playwright-core (which downloads
 * no browser of its own). Without /usr/bin/chromium the test skips on a
 * developer's machine, saying so, and fails under CI, where .ci/run installs it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { fixtureRunSummary, fixtureSweepSummary } from "./report-fixture.js";
import { runChartFiles } from "./run-charts.js";
import { writeRunReport } from "./write-run-report.js";
import { writeSweepReport } from "./write-sweep-report.js";

const CHROMIUM = "/usr/bin/chromium";
const LAUNCH_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

function underCi(): boolean {
  const value = process.env["CI"];
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

interface ChartInPage {
  name: string;
  svgs: number;
  marks: number;
  width: number;
  height: number;
}

interface PageReport {
  charts: ChartInPage[];
  problems: string[];
  requests: string[];
}

async function openInChromium(htmlPath: string): Promise<PageReport> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load" });
    const charts = await page.$$eval("figure[data-chart]", (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector("svg");
        const box = svg?.getBoundingClientRect();
        return {
          name: figure.getAttribute("data-chart") ?? "",
          svgs: figure.querySelectorAll("svg").length,
          // Drawn data: line, bar and point marks, not axes or legends.
          marks: figure.querySelectorAll(".role-mark path, .role-mark rect, .role-mark text").length,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
        };
      }),
    );
    return { charts, problems, requests };
  } finally {
    await browser.close();
  }
}

describe("HTML reports in headless Chromium", () => {
  it("render every chart as an SVG with marks, without console or page errors", async (context) => {
    if (!existsSync(CHROMIUM)) {
      const reason = `${CHROMIUM} is missing; install it with: apt-get install -y --no-install-recommends chromium`;
      if (underCi()) throw new Error(`browser check cannot run under CI: ${reason}`);
      console.warn(`skipping the browser check: ${reason}`);
      context.skip(reason);
    }
    const dir = await mkdtemp(join(tmpdir(), "mqsim-browser-"));
    try {
      await writeRunReport(join(dir, "run"), fixtureRunSummary());
      await writeSweepReport(join(dir, "sweep"), fixtureSweepSummary());
      const run = await openInChromium(join(dir, "run", "report.html"));
      const sweep = await openInChromium(join(dir, "sweep", "sweep.html"));

      expect(run.charts.map((chart) => chart.name)).toEqual(runChartFiles().map((chart) => chart.name));
      expect(sweep.charts.map((chart) => chart.name)).toEqual(["sweep-throughput", "sweep-produce-p99", "sweep-end-to-end-p99"]);
      for (const chart of [...run.charts, ...sweep.charts]) {
        expect(chart.svgs, chart.name).toBe(1);
        expect(chart.marks, chart.name).toBeGreaterThan(0);
        expect(chart.width, chart.name).toBeGreaterThan(100);
        expect(chart.height, chart.name).toBeGreaterThan(50);
      }
      for (const page of [run, sweep]) {
        expect(page.problems).toEqual([]);
        // Self-contained: the page itself is the only request.
        expect(page.requests).toHaveLength(1);
        expect(page.requests[0]).toMatch(/^file:\/\//);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
