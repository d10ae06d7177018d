/**
 * Inconsistent offsets (Jepsen's inconsistent-offsets): one (stream,
 * position) said to hold different message ids at different times. Every
 * delivery with a position claims ids idFirst+k at positions position+k; so
 * does every "ok" send-result with a position (unless `includeAcks` is
 * false). The first claim on a position stands; the first claim that
 * contradicts it is a violation at that event (later ones on the same
 * position are not reported again).
 */
import type { History } from "../history/history.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { PositionTable } from "./position-table.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { plural } from "./wording.js";

export interface InconsistentOffsetsOptions {
  /** Acknowledged positions are claims too (Jepsen counts sends and polls). Default true. */
  includeAcks?: boolean;
}

interface Conflict {
  position: number;
  id: number;
  held: number;
  heldEvent: number;
  positions: number;
  /** Both the ids held before and the contradicting ones. */
  ids: IdRanges;
}

interface Claim {
  stream: string;
  position: number;
  idFirst: number;
  count: number;
}

export function checkInconsistentOffsets(history: History, options: InconsistentOffsetsOptions = {}): CheckResult {
  const includeAcks = options.includeAcks ?? true;
  const streams = new Interner();
  const tables: PositionTable[] = [];
  const violations = new ViolationList();
  let claimed = 0;
  let inconsistent = 0;
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const claim = claimOf(events[i]!, includeAcks);
    if (claim === null) continue;
    const s = streams.intern(claim.stream);
    if (s === tables.length) tables.push(new PositionTable());
    const table = tables[s]!;
    // The usual case, a claim that agrees with everything before it, in one pass.
    const free = claim.position >= 0 && claim.idFirst >= 0 ? table.freeUnlessConflict(claim.position, claim.idFirst, claim.count) : -1;
    if (free >= 0) {
      claimed += free;
      table.claimRange(claim.position, claim.idFirst, claim.count, i);
      continue;
    }
    let conflict: Conflict | null = null;
    for (let k = 0; k < claim.count; k++) {
      const position = claim.position + k;
      const id = claim.idFirst + k;
      const fresh = !table.has(position);
      const held = table.claim(position, id, i);
      if (fresh) claimed++;
      if (held === id || table.isMarked(position)) continue;
      table.mark(position);
      inconsistent++;
      conflict ??= { position, id, held, heldEvent: table.eventAt(position), positions: 0, ids: new IdRanges() };
      conflict.positions++;
      conflict.ids.add(held);
      conflict.ids.add(id);
    }
    if (conflict === null) continue;
    const c = conflict;
    violations.offer(i, () => ({
      check: "inconsistent-offsets",
      message:
        `stream "${claim.stream}": event #${i} contradicts earlier events at ${plural(c.positions, "position")}; ` +
        `first, position ${c.position} held id ${c.held} (event #${c.heldEvent}), now id ${c.id}`,
      eventIndex: i,
      timeNs: events[i]!.timeNs,
      messageIds: c.ids.ranges(),
    }));
  }
  return violations.result("inconsistent-offsets", { positions: claimed, inconsistent });
}

function claimOf(e: History["events"][number], includeAcks: boolean): Claim | null {
  if (e.type === "deliver" && e.position >= 0) return e;
  if (includeAcks && e.type === "send-result" && e.outcome === "ok" && e.position >= 0) return e;
  return null;
}
