import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSweepReport } from "../report/write-sweep-report.js";
import { mergeResults, summaryFromRecords } from "./merge.js";
import { planSweep, type SweepPlan } from "./plan.js";
import { parseResults, readResultsFile, type SweepRecord } from "./results-file.js";
import { runSweep, SweepResultsMismatch, type ResumeInfo } from "./run-sweep.js";

/** Four quick points (about 0.1 s each): two rates × two min.insync.replicas. */
const DOCUMENT = {
  system: "kafka",
  name: "tiny",
  seed: 5,
  duration: "500ms",
  cluster: { brokers: 3 },
  config: { "min.insync.replicas": 2 },
  topics: [{ name: "t", partitions: 2, replicationFactor: 3 }],
  producers: [{ topic: "t", rate: "400/s", messagesPerSend: 5, messageSize: "200B", config: { acks: "all" } }],
  sweep: { "producers[0].rate": ["200/s", "400/s"], 'config["min.insync.replicas"]': [1, 2] },
};

function plan(document: unknown = DOCUMENT, seed?: number): SweepPlan {
  const planned = planSweep(document, seed === undefined ? {} : { seed });
  if (!planned.ok) throw new Error(planned.message);
  return planned.plan;
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "mqsim-sweep-"));
}

function keysIn(file: string): string[] {
  const read = readResultsFile(file);
  expect(read.damagedLines).toBe(0);
  expect(read.truncatedTail).toBe(false);
  return read.records.map((record) => record.key);
}

/** The uninterrupted sweep, run once and shared: every comparison below is against it. */
let full: { file: string; records: SweepRecord[] } | undefined;
async function fullSweep(): Promise<{ file: string; records: SweepRecord[] }> {
  if (full === undefined) {
    const file = join(tempDir(), "points.jsonl");
    const result = await runSweep(plan(), { resultsFile: file, workers: 1 });
    expect(result.interrupted).toBe(false);
    full = { file, records: result.records };
  }
  return full;
}

describe("runSweep", () => {
  it("runs every point once, in grid order, each line appended as its point finishes", async () => {
    const { file, records } = await fullSweep();
    const planned = plan();
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3]);
    expect(keysIn(file)).toEqual(planned.points.map((point) => point.key));
    expect(records.map((record) => record.point.seed)).toEqual(planned.points.map((point) => String(point.seed)));
    expect(records.every((record) => record.point.verdict === "ok" && record.point.bottleneck !== undefined)).toBe(true);
  });

  it("resumes after a kill mid-write: keeps finished lines, drops the cut-off one, runs the rest, every point exactly once", async () => {
    const { file: fullFile, records } = await fullSweep();
    const lines = readFileSync(fullFile, "utf8").split("\n");
    const file = join(tempDir(), "points.jsonl");
    // Two finished points, then a third cut off mid-line (no newline): what a kill during a write leaves.
    writeFileSync(file, `${lines[0]}\n${lines[1]}\n${lines[2]!.slice(0, 60)}`);
    const resumes: ResumeInfo[] = [];
    const ran: number[] = [];
    const result = await runSweep(plan(), { resultsFile: file, workers: 1, onResume: (info) => resumes.push(info), onPoint: (record) => ran.push(record.index) });
    expect(resumes).toEqual([{ reused: 2, dropped: 1, todo: 2, total: 4 }]);
    expect(ran).toEqual([2, 3]);
    expect(result.interrupted).toBe(false);
    const keys = keysIn(file);
    expect([...keys].sort()).toEqual(records.map((record) => record.key).sort());
    expect(new Set(keys).size).toBe(4);
    // Seeds come from the point, not from the run: resumed results are the uninterrupted ones.
    expect(summaryFromRecords(result.records)).toEqual(summaryFromRecords(records));
    const again = await runSweep(plan(), { resultsFile: file, workers: 1, onResume: (info) => resumes.push(info) });
    expect(resumes[1]).toEqual({ reused: 4, dropped: 0, todo: 0, total: 4 });
    expect(again.records).toEqual(result.records);
    expect(keysIn(file)).toHaveLength(4);
  });

  it("stops dispatching when aborted, keeping what finished; the rerun completes the grid", async () => {
    const file = join(tempDir(), "points.jsonl");
    const controller = new AbortController();
    const stopped = await runSweep(plan(), { resultsFile: file, workers: 1, signal: controller.signal, onPoint: () => controller.abort() });
    expect(stopped.interrupted).toBe(true);
    expect(stopped.records).toHaveLength(1);
    expect(keysIn(file)).toHaveLength(1);
    const finished = await runSweep(plan(), { resultsFile: file, workers: 1 });
    expect(finished.interrupted).toBe(false);
    expect(new Set(keysIn(file)).size).toBe(4);
    expect(keysIn(file)).toHaveLength(4);
    expect(summaryFromRecords(finished.records)).toEqual(summaryFromRecords((await fullSweep()).records));
  });

  it("shard 1/2 (in worker threads) + shard 2/2 (in process) + merge gives the unsharded sweep's report, file for file", async () => {
    const { records } = await fullSweep();
    const dir = tempDir();
    const first = await runSweep(plan(), { resultsFile: join(dir, "points.shard-1-of-2.jsonl"), shard: { index: 1, count: 2 }, workers: 2 });
    expect(first.records.map((record) => record.index)).toEqual([0, 2]);
    const partial = mergeResults([{ file: join(dir, "points.shard-1-of-2.jsonl"), read: readResultsFile(join(dir, "points.shard-1-of-2.jsonl")) }]);
    expect(partial.ok ? "" : partial.message).toBe("missing 2 of 4 sweep points: 2 (shard 2/2), 4 (shard 2/2); run (or rerun) the shards that hold them, then merge again");
    const second = await runSweep(plan(), { resultsFile: join(dir, "points.shard-2-of-2.jsonl"), shard: { index: 2, count: 2 }, workers: 1 });
    expect(second.records.map((record) => record.index)).toEqual([1, 3]);
    const files = readdirSync(dir).map((name) => join(dir, name));
    const merged = mergeResults(files.map((file) => ({ file, read: readResultsFile(file) })));
    if (!merged.ok) throw new Error(merged.message);
    const unsharded = summaryFromRecords(records);
    expect(merged.summary).toEqual(unsharded);
    const [mergedDir, unshardedDir] = [tempDir(), tempDir()];
    await writeSweepReport(mergedDir, merged.summary);
    await writeSweepReport(unshardedDir, unsharded);
    const names = readdirSync(unshardedDir).sort();
    expect(readdirSync(mergedDir).sort()).toEqual(names);
    for (const name of names) expect(readFileSync(join(mergedDir, name), "utf8"), name).toBe(readFileSync(join(unshardedDir, name), "utf8"));
  });

  it("merges repeated points once and refuses files of different sweeps", async () => {
    const { file, records } = await fullSweep();
    const read = readResultsFile(file);
    const twice = mergeResults([
      { file, read },
      { file: "copy", read },
    ]);
    expect(twice.ok && twice.repeats).toBe(4);
    expect(twice.ok && twice.summary).toEqual(summaryFromRecords(records));
    const other = { ...read, records: read.records.map((record) => ({ ...record, scenarioId: "0000000000000000" })) };
    const mixed = mergeResults([
      { file, read },
      { file: "other.jsonl", read: other },
    ]);
    expect(mixed.ok ? "" : mixed.message).toContain("other.jsonl holds results of a different sweep");
    expect(mergeResults([]).ok).toBe(false);
  });

  it("refuses to resume into a results file of another scenario or base seed", async () => {
    const { file: fullFile } = await fullSweep();
    const file = join(tempDir(), "points.jsonl");
    writeFileSync(file, readFileSync(fullFile, "utf8"));
    await expect(runSweep(plan(DOCUMENT, 6), { resultsFile: file, workers: 1 })).rejects.toThrow(SweepResultsMismatch);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(fullFile, "utf8"));
  });

  it("keeps a grown grid's finished points (same key, same seed) and rewrites them under the new grid", async () => {
    const { file: fullFile, records } = await fullSweep();
    const file = join(tempDir(), "points.jsonl");
    writeFileSync(file, readFileSync(fullFile, "utf8"));
    const grown = plan({ ...DOCUMENT, sweep: { ...DOCUMENT.sweep, "producers[0].rate": ["200/s", "300/s", "400/s"] } });
    const resumes: ResumeInfo[] = [];
    const result = await runSweep(grown, { resultsFile: file, workers: 1, onResume: (info) => resumes.push(info) });
    expect(resumes).toEqual([{ reused: 4, dropped: 0, todo: 2, total: 6 }]);
    expect(result.records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(readResultsFile(file).records.every((record) => record.gridId === grown.gridId && record.of === 6)).toBe(true);
    expect(result.records[4]!.point).toEqual(records[2]!.point);
  });
});

describe("results files", () => {
  it("ignore a cut-off last line and count damaged lines", () => {
    expect(parseResults("")).toEqual({ records: [], damagedLines: 0, truncatedTail: false });
    const read = parseResults('{"v":1}\nnot json\n\n{"v":1,"scen');
    expect(read).toEqual({ records: [], damagedLines: 2, truncatedTail: true });
  });
});
