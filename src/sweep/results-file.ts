/**
 * A sweep's results as JSON Lines, one finished point per line, so a sweep
 * survives being killed: each line is appended and fsync'ed as its point
 * finishes, and a rerun reads the file back and skips what is there.
 *
 * Every line describes itself (scenario and grid identity, the point's index
 * and key, the parameter names), so shards' files merge without any other
 * input and a file can never be mistaken for another sweep's. A process
 * killed mid-write leaves at most one truncated last line; readers ignore it
 * and the next writer rewrites the file without it.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { SweepPoint } from "../report/sweep-summary.js";

export const RECORD_VERSION = 1;

export interface SweepRecord {
  v: typeof RECORD_VERSION;
  /** The scenario document (without its sweep block) and base seed, fingerprinted. */
  scenarioId: string;
  /** The parameters and their values, fingerprinted. */
  gridId: string;
  scenario: string;
  system: string;
  /** Parameter names in grid order. */
  parameters: string[];
  /** Position in the grid, and the grid's size. */
  index: number;
  of: number;
  key: string;
  point: SweepPoint;
}

export interface ResultsRead {
  records: SweepRecord[];
  /** Complete lines that are not records (edited by hand, or from another program). */
  damagedLines: number;
  /** The file ends in a partial line: a write was cut short. */
  truncatedTail: boolean;
}

export function readResultsFile(path: string): ResultsRead {
  if (!existsSync(path)) return { records: [], damagedLines: 0, truncatedTail: false };
  return parseResults(readFileSync(path, "utf8"));
}

export function parseResults(text: string): ResultsRead {
  const lines = text.split("\n");
  // Text after the last newline is a line whose write did not finish.
  const tail = lines.pop() ?? "";
  const records: SweepRecord[] = [];
  let damagedLines = 0;
  for (const line of lines) {
    if (line.trim() === "") continue;
    const record = parseRecord(line);
    if (record === undefined) damagedLines += 1;
    else records.push(record);
  }
  return { records, damagedLines, truncatedTail: tail !== "" };
}

function parseRecord(line: string): SweepRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  return isRecord(value) ? value : undefined;
}

function isRecord(value: unknown): value is SweepRecord {
  if (value === null || typeof value !== "object") return false;
  const record = value as Partial<Record<keyof SweepRecord, unknown>>;
  const strings = [record.scenarioId, record.gridId, record.scenario, record.system, record.key].every((field) => typeof field === "string");
  const position = Number.isSafeInteger(record.index) && Number.isSafeInteger(record.of) && (record.index as number) >= 0 && (record.index as number) < (record.of as number);
  const names = Array.isArray(record.parameters) && record.parameters.every((name) => typeof name === "string");
  return record.v === RECORD_VERSION && strings && position && names && isPoint(record.point);
}

function isPoint(value: unknown): value is SweepPoint {
  if (value === null || typeof value !== "object") return false;
  const point = value as Partial<Record<keyof SweepPoint, unknown>>;
  const parameters = Array.isArray(point.parameters) && point.parameters.every((p: unknown) => p !== null && typeof p === "object" && typeof (p as { name?: unknown }).name === "string" && ["number", "string", "boolean"].includes(typeof (p as { value?: unknown }).value));
  const metrics = point.metrics !== null && typeof point.metrics === "object" && typeof (point.metrics as { ackedPerSec?: unknown }).ackedPerSec === "number";
  const verdict = point.verdict === "ok" || point.verdict === "safety-failed" || point.verdict === "liveness-failed";
  return parameters && metrics && verdict && typeof point.seed === "string" && typeof point.digest === "string" && (point.bottleneck === undefined || typeof point.bottleneck === "string");
}

/** A record as its line; parsing the line gives back exactly the record every report is built from. */
export function recordLine(record: SweepRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Appends records to a results file, each one durable (fsync'ed) before append returns. */
export class ResultsAppender {
  private fd: number | null;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a");
  }

  append(record: SweepRecord): void {
    if (this.fd === null) throw new Error(`${this.path}: append after close`);
    const bytes = Buffer.from(recordLine(record), "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Replaces a results file with exactly `records`: written to a temporary file,
 * fsync'ed, renamed over the old one, and the directory fsync'ed, so a kill at
 * any moment leaves either the old file or the new one.
 */
export function rewriteResultsFile(path: string, records: readonly SweepRecord[]): void {
  const temporary = `${path}.rewrite`;
  const fd = openSync(temporary, "w");
  try {
    const bytes = Buffer.from(records.map(recordLine).join(""), "utf8");
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dirname(path));
}

function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
