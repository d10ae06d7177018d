import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { fixtureRunSummary } from "./report-fixture.js";
import type { RunSummary } from "./run-summary.js";
import { writeRunReport } from "./write-run-report.js";

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "mqsim-report-"));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe("writeRunReport", () => {
  it("writes the pages, one SVG per chart and the summary, byte-identical on a second run", async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const written = await writeRunReport(join(a, "run"), fixtureRunSummary());
    await writeRunReport(join(b, "run"), fixtureRunSummary());
    const names = (await readdir(join(a, "run"))).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(names).toEqual(["backlog.svg", "bytes-per-link.svg", "cluster-timeline.svg", "latency-cdf.svg", "latency-timeline.svg", "report.html", "report.md", "summary.json", "throughput.svg"]);
    expect(written).toHaveLength(names.length);
    for (const name of names) {
      expect(await readFile(join(b, "run", name), "utf8")).toBe(await readFile(join(a, "run", name), "utf8"));
    }
    const summary = JSON.parse(await readFile(join(a, "run", "summary.json"), "utf8")) as RunSummary;
    expect(summary).toEqual(fixtureRunSummary());
  });

  it("writes nothing when rendering fails", async () => {
    const dir = join(await tempDir(), "run");
    const broken = fixtureRunSummary();
    // A malformed summary (a producer/consumer mix-up in the caller) makes the latency chart throw.
    (broken.latency as { produce: unknown }).produce = null;
    await expect(writeRunReport(dir, broken)).rejects.toThrow();
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });

  it("replaces an earlier report in place and leaves no partial files", async () => {
    const dir = join(await tempDir(), "run");
    await writeRunReport(dir, fixtureRunSummary());
    const changed = fixtureRunSummary();
    changed.seed = "43";
    await writeRunReport(dir, changed);
    expect((await readdir(dir)).filter((name) => name.endsWith(".partial"))).toEqual([]);
    expect(await readFile(join(dir, "report.md"), "utf8")).toContain("- seed: 43");
  });
});
