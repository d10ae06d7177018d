/**
 * Messages that reached one group more than once — as deliveries
 * (duplicated.ts) or as applied effects (duplicated-effects.ts). Counts per
 * group live in one byte per message id (saturating at 255); a message is
 * reported once per group, at the event that gave it the second time.
 */
import type { History } from "../history/history.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { clamp } from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { plural } from "./wording.js";

export interface RepeatKind {
  check: "duplicated" | "duplicated-effects";
  event: "deliver" | "effect";
  /** "delivered" / "applied", for messages and counts. */
  verb: string;
}

export function checkRepeats(history: History, kind: RepeatKind): CheckResult {
  const idLimit = history.idLimit;
  const groups = new Interner();
  const times: Uint8Array[] = [];
  const violations = new ViolationList();
  let distinct = 0;
  let duplicated = 0;
  let extra = 0;
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== kind.event) continue;
    const g = groups.intern(e.group);
    if (g === times.length) times.push(new Uint8Array(idLimit));
    const seen = times[g]!;
    let again: IdRanges | null = null;
    const [from, to] = clamp({ idLimit }, e.idFirst, e.count);
    for (let id = from; id < to; id++) {
      const before = seen[id]!;
      if (before < 255) seen[id] = before + 1;
      if (before === 0) distinct++;
      else extra++;
      if (before !== 1) continue;
      duplicated++;
      (again ??= new IdRanges()).add(id);
    }
    if (again === null) continue;
    const ids = again;
    violations.offer(i, () => ({
      check: kind.check,
      message: `group "${e.group}": ${plural(ids.count, "message")} (ids ${ids.describe()}) ${kind.verb} again, by client "${e.client}"`,
      eventIndex: i,
      timeNs: e.timeNs,
      messageIds: ids.ranges(),
    }));
  }
  // Counted per (group, message): with one group, simply messages.
  return violations.result(kind.check, { [kind.verb]: distinct, duplicated, extra });
}
