/**
 * `mqsim sweep` and `mqsim merge` as a user runs them: a sweep really killed
 * with SIGINT and run again finishes with every point exactly once, and its
 * shards merged give the same report.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, runMqsim, type MqsimRun } from "./mqsim-process.test-support.js";

const ROOT = PROJECT_ROOT;
const mqsim = (...args: string[]): Promise<MqsimRun> => runMqsim(args, 60_000);

/** About 0.3 s of simulation per point (warm), so a sweep of 8 is still running when the test interrupts it. */
const SCENARIO = `
system: kafka
name: sigint-sweep
seed: 3
duration: 10s
cluster: { brokers: 3 }
config: { min.insync.replicas: 2 }
topics: [{ name: t, partitions: 3, replicationFactor: 3 }]
producers:
  - { topic: t, rate: 4k/s, messagesPerSend: 10, messageSize: 1KiB, config: { acks: all } }
consumers:
  - { group: g, topics: [t], processingTime: 1ms }
`;
const SEEDS = "seed=1,2,3,4,5,6,7,8";

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((line) => line !== "") : [];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("mqsim sweep", () => {
  it("killed with SIGINT and run again, finishes with every point exactly once; its shards merge into the same report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-sweep-cli-"));
    const scenario = join(dir, "scenario.yaml");
    writeFileSync(scenario, SCENARIO);
    const out = join(dir, "sweep");
    const points = join(out, "points.jsonl");

    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "sweep", scenario, "--set", SEEDS, "--out", out], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const deadline = performance.now() + 30_000;
    while (lines(points).length === 0 && performance.now() < deadline && child.exitCode === null) await sleep(20);
    expect(lines(points).length, stderr).toBeGreaterThanOrEqual(1);
    child.kill("SIGINT");
    expect(await exited, stderr).toBe(130);
    expect(stderr).toContain("run the same command again");
    const saved = lines(points);
    expect(saved.length).toBeLessThan(8);

    const rerun = await mqsim("sweep", scenario, "--set", SEEDS, "--out", out);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`8 points, ${8 - saved.length} to run`);
    const keys = lines(points).map((line) => (JSON.parse(line) as { key: string }).key);
    expect(keys).toHaveLength(8);
    expect(new Set(keys).size).toBe(8);
    // What the killed run saved was kept, not run again.
    expect(lines(points).slice(0, saved.length)).toEqual(saved);
    expect(rerun.stdout).toMatch(/^#\s+seed\s+acked\/s\s+produce p99\s+verdict\s+bottleneck$/m);
    const sweep = JSON.parse(readFileSync(join(out, "sweep.json"), "utf8")) as { points: { parameters: { value: number }[] }[] };
    expect(sweep.points.map((point) => point.parameters[0]!.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // The two shards at once, as two machines would run them.
    const shards = join(dir, "shards");
    const shardRuns = await Promise.all(["1/2", "2/2"].map((shard) => mqsim("sweep", scenario, "--set", SEEDS, "--out", shards, "--shard", shard, "--workers", "1")));
    for (const run of shardRuns) expect(run.code, run.stderr).toBe(0);
    expect(shardRuns[1]!.stdout).toContain(`shard 2/2: 4 points in ${join(shards, "points.shard-2-of-2.jsonl")}`);
    const merged = join(dir, "merged");
    const merge = await mqsim("merge", shards, "--out", merged);
    expect(merge.code, merge.stderr).toBe(0);
    expect(merge.stdout).toContain("merged 8 points from 2 files");
    // The same points and numbers; each point's report link leads from the merged folder to where its shard wrote it.
    const withoutLinks = (text: string): string => text.replace(/"report": "[^"]*",?\n\s*/g, "").replace(/\(\.\.\/shards\/points\//g, "(points/");
    expect(withoutLinks(readFileSync(join(merged, "sweep.json"), "utf8"))).toBe(withoutLinks(readFileSync(join(out, "sweep.json"), "utf8")));
    expect(withoutLinks(readFileSync(join(merged, "sweep.md"), "utf8"))).toBe(readFileSync(join(out, "sweep.md"), "utf8"));
    const links = (JSON.parse(readFileSync(join(merged, "sweep.json"), "utf8")) as { points: { report?: string }[] }).points.map((point) => point.report);
    expect(links[0]).toBe("../shards/points/p1/report.html");
    for (const link of links) expect(existsSync(join(merged, link!)), link).toBe(true);
    expect(existsSync(join(out, "points", "p8", "report.html"))).toBe(true);
  });

  it("writes each point's run report unless told not to (--no-point-reports)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-sweep-cli-"));
    const set = 'config["min.insync.replicas"]=1,2';
    const withReports = await mqsim("sweep", "c9-replication-failover", "--set", set, "--out", join(dir, "with"), "--workers", "1");
    expect(withReports.code, withReports.stderr).toBe(0);
    expect(existsSync(join(dir, "with", "points", "p2", "report.html"))).toBe(true);
    expect(readFileSync(join(dir, "with", "sweep.md"), "utf8")).toContain("[report](points/p2/report.html)");
    const without = await mqsim("sweep", "c9-replication-failover", "--set", set, "--out", join(dir, "without"), "--workers", "1", "--no-point-reports");
    expect(without.code, without.stderr).toBe(0);
    expect(existsSync(join(dir, "without", "points"))).toBe(false);
    expect(readFileSync(join(dir, "without", "sweep.md"), "utf8")).not.toContain("run report");
  });

  it("exits 2 before running anything on a bad value, naming the point", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mqsim-sweep-cli-"));
    const bad = await mqsim("sweep", "k1-safe", "--set", 'config["min.insync.replicas"]=2,4', "--out", dir);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain('point 2 (config["min.insync.replicas"]=4)');
    expect(bad.stderr).not.toMatch(/^\s+at\s/m);
    expect(existsSync(join(dir, "points.jsonl"))).toBe(false);
  });
});
