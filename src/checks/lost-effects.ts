/**
 * Lost effects: an acknowledged message that a consuming group never
 * *applied*, although it may well have been delivered. This is the loss an
 * at-most-once consumer suffers (Kafka with offsets committed before
 * processing, or auto-commit, and a crash mid-batch: the records were
 * handed over, the position moved past them, the side effect never
 * happened). "lost" cannot see it, because it counts deliveries.
 *
 * Only groups that apply effects are judged (a group with no "effect" event
 * is a reader, like a run's final read), unless `groups` names them. An
 * unapplied message is visible at the group's first effect of a message
 * acknowledged later in the same stream (it was skipped), or else at the end
 * of the history.
 */
import type { History } from "../history/history.js";
import { isHeldTo, streamFilter, type StreamsOfGroup } from "./group-streams.js";
import { endOfHistory } from "./history-end.js";
import { IdRanges } from "./id-ranges.js";
import { Interner } from "./interner.js";
import { buildSendIndex, clamp, OUTCOME_OK, type SendIndex } from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";
import { plural } from "./wording.js";

export interface LostEffectsOptions {
  /** Groups that must apply every acknowledged message; default: every group with an effect. */
  groups?: readonly string[];
  /** Per group, the send streams it must apply (default: all); see group-streams.ts. */
  streamsOfGroup?: StreamsOfGroup;
}

interface GroupEffects {
  /** 1 at each id the group applied. */
  applied: Uint8Array;
  /**
   * Per stream: the effect events in history order with the largest
   * acknowledged position applied so far (a skipped message is visible at
   * the first effect past it).
   */
  pastEvents: number[][];
  pastPositions: number[][];
}

export function checkLostEffects(history: History, options: LostEffectsOptions = {}): CheckResult {
  const streams = new Interner();
  const sends = buildSendIndex(history, streams);
  const groups = new Interner();
  const effects: GroupEffects[] = [];
  const addGroup = (name: string): number => {
    const g = groups.intern(name);
    if (g === effects.length) effects.push({ applied: new Uint8Array(sends.idLimit), pastEvents: [], pastPositions: [] });
    return g;
  };
  for (const name of options.groups ?? []) addGroup(name);
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "effect") continue;
    const g = options.groups === undefined ? addGroup(e.group) : groups.find(e.group);
    if (g === -1) continue;
    noteEffect(effects[g]!, sends, i, e.idFirst, e.count);
  }
  const violations = new ViolationList();
  const end = endOfHistory(history);
  const tally = { unapplied: 0, skipped: 0 };
  for (let g = 0; g < groups.size; g++) judgeGroup(history, sends, streams, groups.name(g), effects[g]!, end.eventIndex, violations, tally, streamFilter(streams, options.streamsOfGroup, groups.name(g)));
  // skipped: later messages of the stream were applied (definitely lost); the rest may only be unfinished.
  return violations.result("lost-effects", { acked: sends.acked, groups: groups.size, unapplied: tally.unapplied, skipped: tally.skipped });
}

function noteEffect(group: GroupEffects, sends: SendIndex, eventIndex: number, idFirst: number, count: number): void {
  const [from, to] = clamp(sends, idFirst, count);
  for (let id = from; id < to; id++) {
    group.applied[id] = 1;
    const stream = sends.ackStream[id]!;
    const position = sends.ackPosition[id]!;
    if (stream < 0 || position < 0) continue;
    const positions = (group.pastPositions[stream] ??= []);
    const top = positions[positions.length - 1];
    if (top !== undefined && position <= top) continue;
    positions.push(position);
    (group.pastEvents[stream] ??= []).push(eventIndex);
  }
}

/** Offers the group's violations; counts the acknowledged messages it never applied, and of those the ones it skipped. */
function judgeGroup(
  history: History,
  sends: SendIndex,
  streams: Interner,
  group: string,
  effects: GroupEffects,
  endEventIndex: number,
  violations: ViolationList,
  tally: { unapplied: number; skipped: number },
  filter: Uint8Array | null,
): void {
  /** Unapplied ids by the event at which they became visible. */
  const byVisible = new Map<number, { ids: IdRanges; stream: number }>();
  for (let id = 0; id < sends.idLimit; id++) {
    if ((sends.flags[id]! & OUTCOME_OK) === 0 || effects.applied[id] === 1) continue;
    if (!isHeldTo(filter, sends.ackStream[id]!)) continue;
    tally.unapplied++;
    const stream = sends.ackStream[id]!;
    const position = sends.ackPosition[id]!;
    const past = stream < 0 || position < 0 ? -1 : firstPast(effects, stream, position);
    if (past !== -1) tally.skipped++;
    const visible = past === -1 ? endEventIndex : Math.max(past, sends.ackEvent[id]!);
    let bucket = byVisible.get(visible);
    if (bucket === undefined) {
      bucket = { ids: new IdRanges(), stream: past === -1 ? -1 : stream };
      byVisible.set(visible, bucket);
    }
    bucket.ids.add(id);
  }
  for (const [visible, bucket] of byVisible) {
    violations.offer(visible, () => ({
      check: "lost-effects",
      message:
        `group "${group}" never applied ${plural(bucket.ids.count, "acknowledged message")} (ids ${bucket.ids.describe()})` +
        (bucket.stream === -1
          ? " by the end of the history"
          : `, yet applied later messages of stream "${streams.name(bucket.stream)}" (event #${visible}): skipped`),
      eventIndex: visible,
      timeNs: history.events[visible]?.timeNs ?? 0,
      messageIds: bucket.ids.ranges(),
    }));
  }
}

function firstPast(effects: GroupEffects, stream: number, position: number): number {
  const positions = effects.pastPositions[stream];
  if (positions === undefined) return -1;
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! > position) hi = mid;
    else lo = mid + 1;
  }
  return lo < positions.length ? effects.pastEvents[stream]![lo]! : -1;
}
