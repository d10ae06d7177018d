/**
 * Lost and unseen messages, per consumer group (Jepsen's lost-write and
 * unseen; the queue checker's "lost"). Every group must receive every message
 * whose send-result was "ok"; "error" and "unknown" outcomes are never
 * expected.
 *
 * An acknowledged message that a group never received is
 * - **lost** when the group received a higher position of the stream it was
 *   acknowledged in (it was passed over: definitely lost), visible at the
 *   first such delivery (or at the acknowledgement, if that came later); or
 *   when its position is unknown (-1), visible at the end of the history
 *   (which the run ends with a final drain);
 * - **unseen** when the group received nothing past its position: it may be
 *   lost or merely late; visible at the end of the history.
 * Both fail the check.
 */
import type { History } from "../history/history.js";
import { Frontier } from "./frontier.js";
import { isHeldTo, streamFilter, type StreamsOfGroup } from "./group-streams.js";
import { endOfHistory, type EventPoint } from "./history-end.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { buildSendIndex, clamp, OUTCOME_OK, type SendIndex } from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { describePositions, plural } from "./wording.js";

export interface LostOptions {
  /**
   * Groups that must receive every acknowledged message. Default: every group
   * that appears in a delivery, commit or effect — or, if none does, one group
   * that received nothing (so a run whose consumers never read cannot pass).
   * Runs should pass their configured groups: a group that never shows up at
   * all is otherwise not held to account.
   */
  groups?: readonly string[];
  /** Per group, the send streams it must get (default: all); see group-streams.ts. */
  streamsOfGroup?: StreamsOfGroup;
}

/** The name used when no group appears in the history. */
export const NO_GROUP = "(no consumer group)";

const LOST = 1;
const UNSEEN = 2;

interface GroupReads {
  groups: Interner;
  /** Per group: 1 at each id it received. */
  delivered: Uint8Array[];
  /** Per group, per stream: how far it read. */
  frontiers: (Frontier | undefined)[][];
}

export function checkLost(history: History, options: LostOptions = {}): CheckResult {
  const streams = new Interner();
  const sends = buildSendIndex(history, streams);
  const reads = readGroups(history, sends, streams, options.groups);
  const violations = new ViolationList();
  const verdicts = new Uint8Array(sends.idLimit);
  const end = endOfHistory(history);
  for (let g = 0; g < reads.groups.size; g++) {
    const filter = streamFilter(streams, options.streamsOfGroup, reads.groups.name(g));
    judgeGroup(history, sends, streams, reads, g, end, verdicts, violations, filter);
  }
  let lost = 0;
  let unseen = 0;
  for (let id = 0; id < verdicts.length; id++) {
    const v = verdicts[id]!;
    if ((v & LOST) !== 0) lost++;
    if ((v & UNSEEN) !== 0) unseen++;
  }
  return violations.result("lost", { acked: sends.acked, groups: reads.groups.size, lost, unseen });
}

function readGroups(
  history: History,
  sends: SendIndex,
  streams: Interner,
  only: readonly string[] | undefined,
): GroupReads {
  const reads: GroupReads = { groups: new Interner(), delivered: [], frontiers: [] };
  const addGroup = (name: string): number => {
    const g = reads.groups.intern(name);
    if (g === reads.delivered.length) {
      reads.delivered.push(new Uint8Array(sends.idLimit));
      reads.frontiers.push([]);
    }
    return g;
  };
  for (const name of only ?? []) addGroup(name);
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (only === undefined && (e.type === "commit" || e.type === "effect")) addGroup(e.group);
    if (e.type !== "deliver") continue;
    const g = only === undefined ? addGroup(e.group) : reads.groups.find(e.group);
    if (g === -1) continue;
    const delivered = reads.delivered[g]!;
    const [from, to] = clamp(sends, e.idFirst, e.count);
    for (let id = from; id < to; id++) delivered[id] = 1;
    if (e.position < 0) continue;
    const s = streams.intern(e.stream);
    const frontiers = reads.frontiers[g]!;
    const frontier = (frontiers[s] ??= new Frontier());
    frontier.advance(i, e.position + e.count - 1);
  }
  if (reads.groups.size === 0 && sends.acked > 0) addGroup(NO_GROUP);
  return reads;
}

function judgeGroup(
  history: History,
  sends: SendIndex,
  streams: Interner,
  reads: GroupReads,
  g: number,
  end: EventPoint,
  verdicts: Uint8Array,
  violations: ViolationList,
  filter: Uint8Array | null,
): void {
  const group = reads.groups.name(g);
  const delivered = reads.delivered[g]!;
  const frontiers = reads.frontiers[g]!;
  /** Passed-over messages by the event that made their loss visible, in first-found order. */
  const passedOver = new Map<number, { ids: IdRanges; pastEvent: number; stream: number }>();
  const unseen = new IdRanges();
  const unplaced = new IdRanges();
  for (let id = 0; id < sends.idLimit; id++) {
    if ((sends.flags[id]! & OUTCOME_OK) === 0 || delivered[id] === 1) continue;
    if (!isHeldTo(filter, sends.ackStream[id]!)) continue;
    const position = sends.ackPosition[id]!;
    if (position < 0) {
      unplaced.add(id);
      verdicts[id] = verdicts[id]! | LOST;
      continue;
    }
    const stream = sends.ackStream[id]!;
    const pastEvent = frontiers[stream]?.firstPast(position) ?? -1;
    if (pastEvent === -1) {
      unseen.add(id);
      verdicts[id] = verdicts[id]! | UNSEEN;
      continue;
    }
    verdicts[id] = verdicts[id]! | LOST;
    const visible = Math.max(pastEvent, sends.ackEvent[id]!);
    let bucket = passedOver.get(visible);
    if (bucket === undefined) {
      bucket = { ids: new IdRanges(), pastEvent, stream };
      passedOver.set(visible, bucket);
    }
    bucket.ids.add(id);
  }
  for (const [visible, bucket] of passedOver) {
    violations.offer(visible, () => ({
      check: "lost",
      message:
        `group "${group}" never received ${plural(bucket.ids.count, "acknowledged message")} (ids ${bucket.ids.describe()}) ` +
        `of stream "${streams.name(bucket.stream)}", yet received ${deliveredPositions(history, bucket.pastEvent)} past them (event #${bucket.pastEvent})`,
      eventIndex: visible,
      timeNs: history.events[visible]!.timeNs,
      messageIds: bucket.ids.ranges(),
    }));
  }
  offerAtEnd(violations, end, "lost", unplaced, `group "${group}" never received`, "whose positions are unknown");
  offerAtEnd(violations, end, "unseen", unseen, `group "${group}" never received`, "nor anything after them (lost, or only late)");
}

function offerAtEnd(
  violations: ViolationList,
  end: EventPoint,
  check: "lost" | "unseen",
  ids: IdRanges,
  subject: string,
  detail: string,
): void {
  if (ids.count === 0) return;
  violations.offer(end.eventIndex, () => ({
    check,
    message: `${subject} ${plural(ids.count, "acknowledged message")} (ids ${ids.describe()}) ${detail}, by the end of the history`,
    eventIndex: end.eventIndex,
    timeNs: end.timeNs,
    messageIds: ids.ranges(),
  }));
}

function deliveredPositions(history: History, eventIndex: number): string {
  const e = history.events[eventIndex];
  if (e?.type !== "deliver") return "later positions";
  return describePositions(e.position, e.count);
}
