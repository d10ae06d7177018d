/**
 * Unexpected deliveries (the queue checker's "unexpected"): a group received
 * a message that was never sent, or whose every send-result was "error"
 * (definitely not written). Each such message is reported once, at its first
 * delivery — or at its last send-result if the "error" came after it.
 *
 * Messages whose outcome was "unknown" (or never reported) and were delivered
 * anyway are fine; they are counted as `recovered`.
 */
import type { History } from "../history/history.js";
import { IdRanges } from "./id-ranges.js";
import {
  buildSendIndex,
  isInIdRange,
  OUTCOME_ERROR,
  OUTCOME_OK,
  OUTCOME_UNKNOWN,
  SENT,
  type SendIndex,
} from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { describePositions, plural } from "./wording.js";

const NEVER_SENT = 1;
const FAILED = 2;

export function checkUnexpected(history: History): CheckResult {
  const sends = buildSendIndex(history);
  const seen = new Uint8Array(sends.idLimit);
  const violations = new ViolationList();
  let delivered = 0;
  let unexpected = 0;
  let recovered = 0;
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "deliver") continue;
    let found: IdRanges | null = null;
    let kinds = 0;
    let visible = i;
    for (let id = e.idFirst; id < e.idFirst + e.count; id++) {
      // Ids outside the reserved range were never handed out: report them at every delivery.
      if (isInIdRange(sends, id)) {
        if (seen[id] === 1) continue;
        seen[id] = 1;
        delivered++;
      }
      const kind = classify(sends, id);
      if (kind === 0) {
        if (isRecovered(sends, id)) recovered++;
        continue;
      }
      unexpected++;
      kinds |= kind;
      (found ??= new IdRanges()).add(id);
      if (kind === FAILED) visible = Math.max(visible, sends.lastResultEvent[id]!);
    }
    if (found === null) continue;
    const ids = found;
    violations.offer(visible, () => ({
      check: "unexpected",
      message:
        `group "${e.group}" (client "${e.client}") received ${plural(ids.count, "message")} (ids ${ids.describe()}) ` +
        `at stream "${e.stream}" ${describePositions(e.position, e.count)} that ${why(kinds)}`,
      eventIndex: visible,
      timeNs: events[visible]!.timeNs,
      messageIds: ids.ranges(),
    }));
  }
  return violations.result("unexpected", { delivered, unexpected, recovered });
}

/** 0 when the delivery is expected or excusable. */
function classify(sends: SendIndex, id: number): number {
  if (!isInIdRange(sends, id)) return NEVER_SENT;
  const flags = sends.flags[id]!;
  if ((flags & (SENT | OUTCOME_OK | OUTCOME_ERROR | OUTCOME_UNKNOWN)) === 0) return NEVER_SENT;
  if ((flags & OUTCOME_ERROR) !== 0 && (flags & (OUTCOME_OK | OUTCOME_UNKNOWN)) === 0) return FAILED;
  return 0;
}

/** Sent, never acknowledged, not refused either: its outcome was unknown until it showed up. */
function isRecovered(sends: SendIndex, id: number): boolean {
  return (sends.flags[id]! & (OUTCOME_OK | OUTCOME_ERROR)) === 0;
}

function why(kinds: number): string {
  if (kinds === NEVER_SENT) return "were never sent";
  if (kinds === FAILED) return 'were refused ("error" send-results: definitely not written)';
  return 'were never sent or were refused ("error")';
}
