/**
 * Monotonic reads and sends (Jepsen's nonmonotonic-poll, poll-skip and
 * nonmonotonic-send). Per (consumer client, group, stream), compare each
 * delivery with a position to the previous one (event order):
 * - **nonmonotonic-poll**: it starts at or before the last position already
 *   delivered (the consumer went back);
 * - **poll-skip**: it starts beyond the next position, and some skipped
 *   position is known to exist (an "ok" send-result or any delivery to anyone
 *   put a message there).
 * Both are visible at the later delivery. A consumer that restarts or is
 * reassigned legitimately goes back (to its committed offset) or jumps ahead
 * (past what another consumer read), so a pair of deliveries is exempt when
 * - another client of the same group received from the same stream between
 *   them (the stream changed hands and came back), or
 * - the client has a reset in `resetsNs` at t with t1 < t <= t2, where t1, t2
 *   are the deliveries' times (a delivery at the reset's instant counts as
 *   after it): pass restarts and rebalances here.
 * Deliveries without positions (-1) are not judged here.
 * Also **nonmonotonic-send**: see nonmonotonic-sends.ts.
 */
import type { History } from "../history/history.js";
import type { TimeNs } from "../kernel/time.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { findNonmonotonicSends } from "./nonmonotonic-sends.js";
import { PositionTable } from "./position-table.js";
import { buildSendIndex } from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { describePositions, plural } from "./wording.js";

export interface MonotonicOptions {
  /** Per consumer client: the times it restarted or its assignment changed. */
  resetsNs?: ReadonlyMap<string, readonly TimeNs[]>;
}

/** A poll skip names at most this many skipped positions' ids (the count is exact). */
const SKIPPED_SCAN_LIMIT = 4096;

interface Cursor {
  lastPosition: number;
  eventIndex: number;
  timeNs: TimeNs;
}

/**
 * One group's deliveries of one stream: the last to any of its clients, and
 * each client's cursor. Keyed by the event's own strings, nested, so no key
 * is built per delivery.
 */
interface GroupStream {
  lastDelivery: number;
  cursors: Map<string, Cursor>;
}

export function checkMonotonic(history: History, options: MonotonicOptions = {}): CheckResult {
  const streams = new Interner();
  const sends = buildSendIndex(history, streams);
  const existing = knownPositions(history, streams);
  const prefixes = existing.map((table) => table.prefixCounts());
  const resets = sortedResets(options.resetsNs);
  const violations = new ViolationList();
  /** Per stream (numbered by `streams`), per group. */
  const byStream: Map<string, GroupStream>[] = [];
  let polls = 0;
  let nonmonotonicPolls = 0;
  let pollSkips = 0;
  let exempted = 0;
  let unpositioned = 0;
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "deliver") continue;
    if (e.position < 0) {
      unpositioned++;
      continue;
    }
    polls++;
    const s = streams.intern(e.stream);
    const groups = (byStream[s] ??= new Map());
    let groupStream = groups.get(e.group);
    if (groupStream === undefined) {
      groupStream = { lastDelivery: -1, cursors: new Map() };
      groups.set(e.group, groupStream);
    }
    const before = groupStream.cursors.get(e.client);
    const lastDelivery = groupStream.lastDelivery;
    groupStream.cursors.set(e.client, { lastPosition: e.position + e.count - 1, eventIndex: i, timeNs: e.timeNs });
    groupStream.lastDelivery = i;
    if (before === undefined) continue;
    // A later delivery of this group and stream than this client's last one went to another client.
    const changedHands = lastDelivery > before.eventIndex;
    if (changedHands || hasResetBetween(resets.get(e.client), before.timeNs, e.timeNs)) {
      exempted++;
      continue;
    }
    if (e.position <= before.lastPosition) {
      nonmonotonicPolls++;
      violations.offer(i, () => ({
        check: "nonmonotonic-poll",
        message: `${where(e)}: received ${describePositions(e.position, e.count)} after it had reached position ${before.lastPosition} (event #${before.eventIndex})`,
        eventIndex: i,
        timeNs: e.timeNs,
        messageIds: [{ idFirst: e.idFirst, count: e.count }],
      }));
      continue;
    }
    const skipped = countExisting(prefixes[s]!, before.lastPosition + 1, e.position);
    if (skipped === 0) continue;
    pollSkips++;
    violations.offer(i, () => {
      const ids = idsBetween(existing[s]!, before.lastPosition + 1, e.position);
      return {
        check: "poll-skip",
        message: `${where(e)}: jumped from position ${before.lastPosition} (event #${before.eventIndex}) to ${e.position}, skipping ${plural(skipped, "existing position")} (ids ${ids.describe()})`,
        eventIndex: i,
        timeNs: e.timeNs,
        messageIds: ids.ranges(),
      };
    });
  }
  const nonmonotonicSends = findNonmonotonicSends(history, sends, streams, violations);
  return violations.result("monotonic", { polls, nonmonotonicPolls, pollSkips, nonmonotonicSends, exempted, unpositioned });
}

/** Built only for a reported violation: most deliveries are fine. */
function where(e: { client: string; group: string; stream: string }): string {
  return `consumer "${e.client}" of group "${e.group}", stream "${e.stream}"`;
}

/** Per stream (numbered by `streams`): positions some ack or delivery shows exist. */
function knownPositions(history: History, streams: Interner): PositionTable[] {
  const tables: PositionTable[] = [];
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const placed = (e.type === "deliver" || (e.type === "send-result" && e.outcome === "ok")) && e.position >= 0;
    if (!placed) continue;
    const s = streams.intern(e.stream);
    while (tables.length <= s) tables.push(new PositionTable());
    const table = tables[s]!;
    table.claimRange(e.position, e.idFirst, e.count, i);
  }
  while (tables.length < streams.size) tables.push(new PositionTable());
  return tables;
}

/** How many positions in [from, to) exist, by the table's prefix counts. */
function countExisting(prefix: Int32Array, from: number, to: number): number {
  const end = prefix.length - 1;
  const a = Math.min(from, end);
  const b = Math.min(to, end);
  return b > a ? prefix[b]! - prefix[a]! : 0;
}

function idsBetween(table: PositionTable, from: number, to: number): IdRanges {
  const ids = new IdRanges();
  const stop = Math.min(to, table.end, from + SKIPPED_SCAN_LIMIT);
  for (let p = from; p < stop; p++) {
    const id = table.idAt(p);
    if (id !== -1) ids.add(id);
  }
  return ids;
}

function sortedResets(resets: ReadonlyMap<string, readonly TimeNs[]> | undefined): Map<string, TimeNs[]> {
  const sorted = new Map<string, TimeNs[]>();
  for (const [client, times] of resets ?? []) sorted.set(client, [...times].sort((a, b) => a - b));
  return sorted;
}

/** Whether some reset t satisfies after < t <= until (times ascending). */
function hasResetBetween(times: readonly TimeNs[] | undefined, after: TimeNs, until: TimeNs): boolean {
  if (times === undefined) return false;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && times[lo]! <= until;
}
