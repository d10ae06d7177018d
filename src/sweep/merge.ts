/**
 * From results files to a sweep's summary: the whole sweep's file, or the
 * files of its shards (`mqsim merge`). Records are deduplicated by point key
 * and ordered by grid index, so the summary, and the report written from it,
 * is the same however the points were divided, ordered or repeated.
 */
import { basename } from "node:path";
import type { SweepSummary } from "../report/sweep-summary.js";
import type { ResultsRead, SweepRecord } from "./results-file.js";

/** The summary of one grid's records (complete: every index once), in grid order. */
export function summaryFromRecords(records: readonly SweepRecord[]): SweepSummary {
  const sorted = [...records].sort((a, b) => a.index - b.index);
  const first = sorted[0];
  return {
    scenario: first?.scenario ?? "",
    system: first?.system ?? "",
    parameters: first === undefined ? [] : [...first.parameters],
    points: sorted.map((record) => record.point),
  };
}

export interface MergeInput {
  file: string;
  read: ResultsRead;
}

export type MergeResult =
  | { ok: true; summary: SweepSummary; records: SweepRecord[]; repeats: number; damaged: number }
  | { ok: false; message: string };

const MISSING_SHOWN = 20;

export function mergeResults(inputs: readonly MergeInput[]): MergeResult {
  const all = inputs.flatMap((input) => input.read.records.map((record) => ({ file: input.file, record })));
  const damaged = inputs.reduce((sum, input) => sum + input.read.damagedLines + (input.read.truncatedTail ? 1 : 0), 0);
  const first = all[0];
  if (first === undefined) return { ok: false, message: `no sweep results in ${inputs.map((input) => input.file).join(", ") || "the inputs"}` };
  for (const { file, record } of all) {
    if (record.scenarioId !== first.record.scenarioId || record.gridId !== first.record.gridId) {
      const what = record.scenarioId !== first.record.scenarioId ? "another scenario document or base seed" : "another grid of parameters";
      return { ok: false, message: `${file} holds results of a different sweep than ${first.file} (${what}); merge only the files of one sweep` };
    }
  }
  const byIndex = new Map<number, SweepRecord>();
  let repeats = 0;
  for (const { file, record } of all) {
    const other = byIndex.get(record.index);
    if (other === undefined) {
      byIndex.set(record.index, record);
      continue;
    }
    repeats += 1;
    // The same point from two runs must be the same run: a point's result depends only on its document and seed.
    if (other.key !== record.key || other.point.digest !== record.point.digest) {
      return { ok: false, message: `${file}: point ${record.index + 1} differs from an earlier copy (digest ${record.point.digest} vs ${other.point.digest}); were the shards run by different mqsim versions?` };
    }
  }
  const of = first.record.of;
  const missing: number[] = [];
  for (let index = 0; index < of; index += 1) if (!byIndex.has(index)) missing.push(index);
  if (missing.length > 0) {
    const shown = missing.slice(0, MISSING_SHOWN).map((index) => `${index + 1}${shardHint(index, inputs)}`);
    return {
      ok: false,
      message: `missing ${missing.length} of ${of} sweep points: ${shown.join(", ")}${missing.length > MISSING_SHOWN ? ", …" : ""}; run (or rerun) the shards that hold them, then merge again`,
    };
  }
  const records = [...byIndex.values()].sort((a, b) => a.index - b.index);
  return { ok: true, summary: summaryFromRecords(records), records, repeats, damaged };
}

/** " (shard 2/4)": which shard, by the shard files' names, runs the point at `index`. */
function shardHint(index: number, inputs: readonly MergeInput[]): string {
  const counts = new Set<number>();
  for (const input of inputs) {
    const match = /^points\.shard-[0-9]+-of-([0-9]+)\.jsonl$/.exec(basename(input.file));
    if (match !== null) counts.add(Number(match[1]));
  }
  if (counts.size !== 1) return "";
  const count = [...counts][0]!;
  return ` (shard ${(index % count) + 1}/${count})`;
}
