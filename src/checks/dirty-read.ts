/**
 * Dirty reads: a consumer read something that is later gone. Each delivered
 * (stream, position, id) is compared with the final authoritative log of its
 * stream: it is dirty when that position holds a different id or nothing, or
 * lies at or beyond the log's end. Positions below the log's startPosition
 * (removed by retention; default 0), deliveries without positions and streams
 * without a final log are not judged, only counted. One violation per delivery, visible at that delivery.
 */
import type { History } from "../history/history.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { tableOfEntries, type FinalLog } from "./log-snapshot.js";
import type { PositionTable } from "./position-table.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { plural } from "./wording.js";

export function checkDirtyReads(history: History, finalLogs: readonly FinalLog[]): CheckResult {
  const streams = new Interner();
  const logs: { table: PositionTable; startPosition: number }[] = [];
  for (const log of finalLogs) {
    // A stream listed twice keeps its first log.
    if (streams.intern(log.stream) !== logs.length) continue;
    logs.push({ table: tableOfEntries(log.entries), startPosition: log.startPosition ?? 0 });
  }
  const violations = new ViolationList();
  let checked = 0;
  let dirty = 0;
  let unjudged = 0;
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "deliver") continue;
    const final = e.position < 0 ? undefined : logs[streams.find(e.stream)];
    if (final === undefined) {
      unjudged += e.count;
      continue;
    }
    let first: { position: number; held: number; ids: IdRanges } | null = null;
    for (let k = 0; k < e.count; k++) {
      const position = e.position + k;
      if (position < final.startPosition) {
        unjudged++;
        continue;
      }
      checked++;
      const held = final.table.idAt(position);
      if (held === e.idFirst + k) continue;
      dirty++;
      first ??= { position, held, ids: new IdRanges() };
      first.ids.add(e.idFirst + k);
    }
    if (first === null) continue;
    const f = first;
    violations.offer(i, () => ({
      check: "dirty-read",
      message:
        `group "${e.group}" (client "${e.client}") read ${plural(f.ids.count, "message")} (ids ${f.ids.describe()}) ` +
        `from stream "${e.stream}" that its final log does not hold: position ${f.position} ${holds(final.table, f)}`,
      eventIndex: i,
      timeNs: e.timeNs,
      messageIds: f.ids.ranges(),
    }));
  }
  return violations.result("dirty-read", { checked, dirty, unjudged });
}

function holds(log: PositionTable, at: { position: number; held: number }): string {
  if (at.position >= log.end) return `is beyond the log's end (${log.end})`;
  return at.held === -1 ? "holds nothing" : `holds id ${at.held}`;
}
