/**
 * End-of-run pictures of logs, produced by system-specific code: what each
 * replica holds (for divergence.ts) and the final authoritative log of each
 * stream (for dirty-read.ts). Entries use the History's range shape:
 * positions position..position+count-1 hold ids idFirst..idFirst+count-1.
 */
import type { MessageId } from "../history/history.js";
import { PositionTable } from "./position-table.js";

export interface LogEntry {
  position: number;
  idFirst: MessageId;
  count: number;
}

export interface ReplicaSnapshot {
  stream: string;
  /** The replica's name (e.g. the broker holding it). */
  replica: string;
  entries: readonly LogEntry[];
  /** One past the last position this replica considers committed (Kafka: its high watermark). */
  committedEnd: number;
  /** The first position the replica still keeps (Kafka: log start offset); default 0. */
  startPosition?: number;
}

export interface FinalLog {
  stream: string;
  entries: readonly LogEntry[];
  /** The first position the log still keeps; reads below it are not judged. Default 0. */
  startPosition?: number;
}

/** The entries as a position table (a position listed twice keeps its first id). */
export function tableOfEntries(entries: readonly LogEntry[]): PositionTable {
  const table = new PositionTable();
  let end = 0;
  for (const entry of entries) end = Math.max(end, entry.position + entry.count);
  table.reserve(end);
  for (const entry of entries) table.claimRange(entry.position, entry.idFirst, entry.count, -1);
  return table;
}
