/**
 * Divergent replicas: two replicas of one stream that disagree on a committed
 * position. For each pair of snapshots of a stream, every position in
 * [max(their startPositions), min(their committedEnds)) must hold the same
 * id in both (a position held by one and missing from the other disagrees).
 * Positions below a replica's startPosition (default 0) are not compared: a
 * prefix removed by retention is not a disagreement. One violation per disagreeing pair,
 * visible at the end of the history (snapshots are taken after the run).
 */
import type { History } from "../history/history.js";
import { endOfHistory } from "./history-end.js";
import { IdRanges } from "./id-ranges.js";
import { tableOfEntries, type LogEntry, type ReplicaSnapshot } from "./log-snapshot.js";
import type { PositionTable } from "./position-table.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { plural } from "./wording.js";

interface Replica {
  name: string;
  entries: readonly LogEntry[];
  /** Built on first need: replicas that agree entry for entry are never expanded position by position. */
  table: PositionTable | null;
  startPosition: number;
  committedEnd: number;
}

interface Disagreement {
  positions: number;
  firstPosition: number;
  firstIds: [number, number];
  ids: IdRanges;
}

export function checkDivergence(history: History, replicas: readonly ReplicaSnapshot[]): CheckResult {
  const byStream = new Map<string, Replica[]>();
  for (const snapshot of replicas) {
    let list = byStream.get(snapshot.stream);
    if (list === undefined) {
      list = [];
      byStream.set(snapshot.stream, list);
    }
    list.push({
      name: snapshot.replica,
      entries: snapshot.entries,
      table: null,
      startPosition: snapshot.startPosition ?? 0,
      committedEnd: snapshot.committedEnd,
    });
  }
  const end = endOfHistory(history);
  const violations = new ViolationList();
  let compared = 0;
  let divergent = 0;
  for (const [stream, list] of byStream) {
    for (let a = 0; a < list.length; a++) {
      for (let b = a + 1; b < list.length; b++) {
        const x = list[a]!;
        const y = list[b]!;
        const from = Math.max(x.startPosition, y.startPosition);
        const to = Math.min(x.committedEnd, y.committedEnd);
        if (to > from) compared += to - from;
        if (sameEntries(x.entries, y.entries, from, to)) continue;
        const found = disagreement((x.table ??= tableOfEntries(x.entries)), (y.table ??= tableOfEntries(y.entries)), from, to);
        if (found === null) continue;
        divergent += found.positions;
        violations.offer(end.eventIndex, () => ({
          check: "divergence",
          message:
            `stream "${stream}": replicas "${x.name}" and "${y.name}" disagree on ${plural(found.positions, "committed position")} ` +
            `below ${to}; first at position ${found.firstPosition}: ${describeId(found.firstIds[0])} vs ${describeId(found.firstIds[1])}`,
          eventIndex: end.eventIndex,
          timeNs: end.timeNs,
          messageIds: found.ids.ranges(),
        }));
      }
    }
  }
  return violations.result("divergence", {
    streams: byStream.size,
    replicas: replicas.length,
    compared,
    divergent,
  });
}

/** Positions in [from, to) where the two tables differ, or null. */
function disagreement(x: PositionTable, y: PositionTable, from: number, to: number): Disagreement | null {
  if (x.sameIdsAs(y, from, to)) return null;
  let found: Disagreement | null = null;
  for (let p = from; p < to; p++) {
    const a = x.idAt(p);
    const b = y.idAt(p);
    if (a === b) continue;
    found ??= { positions: 0, firstPosition: p, firstIds: [a, b], ids: new IdRanges() };
    found.positions++;
    if (a !== -1) found.ids.add(a);
    if (b !== -1) found.ids.add(b);
  }
  return found;
}

/**
 * True when the entries touching [from, to) are the same, one for one: then
 * both replicas hold the same id at every position there. (Entries wholly
 * outside the range cannot touch it.) False says nothing: compare positions.
 */
function sameEntries(a: readonly LogEntry[], b: readonly LogEntry[], from: number, to: number): boolean {
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < a.length && !touches(a[i]!, from, to)) i++;
    while (j < b.length && !touches(b[j]!, from, to)) j++;
    if (i === a.length || j === b.length) return i === a.length && j === b.length;
    const x = a[i]!;
    const y = b[j]!;
    if (x.position !== y.position || x.idFirst !== y.idFirst || x.count !== y.count) return false;
    i++;
    j++;
  }
}

function touches(entry: LogEntry, from: number, to: number): boolean {
  return entry.count > 0 && entry.position < to && entry.position + entry.count > from;
}

function describeId(id: number): string {
  return id === -1 ? "nothing" : `id ${id}`;
}
