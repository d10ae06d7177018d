/**
 * The messages the lost check found lost or unseen, told the way Jepsen's timelines tell
 * them: which client sent them, when and by which server they were
 * acknowledged, at which position of which stream, who led that stream then,
 * and what the cluster did afterwards (the leader changed, a replica
 * truncated its log, the acknowledging node was declared down), ending with
 * the likeliest fate in one line.
 *
 * Read from the history (send results) and the cluster log only: no model
 * object is consulted, so the same code tells every system's story.
 */
import type { CheckResult, IdRange } from "../checks/violation.js";
import type { History, HistoryEvent } from "../history/history.js";
import type { ClusterEvent } from "../world/cluster-log.js";
import type { LostMessageStory, StoryEvent } from "../report/run-summary.js";

/** At most this many message ranges are told (the earliest violations first). */
export const STORIES_MAX = 20;
/** At most this many cluster events after the acknowledgement per story. */
const AFTER_MAX = 8;

type SendResult = Extract<HistoryEvent, { type: "send-result" }>;

export function lostMessageStories(history: History, checks: readonly CheckResult[], clusterEvents: readonly ClusterEvent[]): LostMessageStory[] {
  const wanted = violationRanges(checks);
  if (wanted.length === 0) return [];
  const acks = acknowledgementsOf(history, wanted.map((entry) => entry.range.idFirst));
  return wanted.map(({ check, kind, range }) => story(check, kind, range, acks.get(range.idFirst) ?? null, clusterEvents));
}

/** The lost check's message ranges (lost, then unseen, as it found them), at most STORIES_MAX. */
function violationRanges(checks: readonly CheckResult[]): { check: string; kind: string; range: IdRange }[] {
  const out: { check: string; kind: string; range: IdRange }[] = [];
  for (const check of checks) {
    if (check.ok || check.check !== "lost") continue;
    for (const violation of check.violations) {
      for (const range of violation.messageIds) {
        if (out.length >= STORIES_MAX) return out;
        out.push({ check: check.check, kind: violation.check, range });
      }
    }
  }
  return out;
}

/** For each wanted id, the successful send result whose batch holds it (the last one, if it was acknowledged more than once). */
function acknowledgementsOf(history: History, ids: readonly number[]): Map<number, SendResult> {
  const found = new Map<number, SendResult>();
  for (const event of history.events) {
    if (event.type !== "send-result" || event.outcome !== "ok") continue;
    for (const id of ids) if (id >= event.idFirst && id < event.idFirst + event.count) found.set(id, event);
  }
  return found;
}

function story(check: string, kind: string, range: IdRange, ack: SendResult | null, events: readonly ClusterEvent[]): LostMessageStory {
  if (ack === null) {
    return { check, kind, idFirst: range.idFirst, count: range.count, client: "", stream: "", position: -1, ackedAtNs: -1, ackedBy: "", leaderAtAck: null, after: [], fate: "never acknowledged: sent, then its outcome unknown or refused" };
  }
  const position = ack.position < 0 ? -1 : ack.position + (range.idFirst - ack.idFirst);
  const ackedBy = ack.server ?? "";
  const leaderAtAck = leaderAt(events, ack.stream, ackedBy, ack.timeNs);
  const after = events.filter((event) => event.timeNs >= ack.timeNs && isAbout(event, ack.stream, ackedBy)).slice(0, AFTER_MAX).map(storyEvent);
  return {
    check,
    kind,
    idFirst: range.idFirst,
    count: range.count,
    client: ack.client,
    stream: ack.stream,
    position,
    ackedAtNs: ack.timeNs,
    ackedBy,
    leaderAtAck,
    after,
    fate: fateOf(events, ack, position, ackedBy, leaderAtAck),
  };
}

/** An event of the message's stream, or one that befell the node that acknowledged it (its log, its failure). */
function isAbout(event: ClusterEvent, stream: string, ackedBy: string): boolean {
  if (event.stream === stream) return true;
  return ackedBy !== "" && event.node === ackedBy && (event.kind === "truncation" || event.kind === "node-down" || event.kind === "step-down");
}

/** The last leader chosen for the stream (or a stream the acknowledging node led) at or before the acknowledgement. */
function leaderAt(events: readonly ClusterEvent[], stream: string, ackedBy: string, atNs: number): { node: string; epoch: number; atNs: number } | null {
  let found: ClusterEvent | null = null;
  for (const event of events) {
    if (event.timeNs > atNs) break;
    if (event.kind === "leader" && (event.stream === stream || (found === null && event.node === ackedBy && ackedBy !== ""))) found = event;
  }
  return found === null ? null : { node: found.node, epoch: found.epoch, atNs: found.timeNs };
}

function storyEvent(event: ClusterEvent): StoryEvent {
  return { timeNs: event.timeNs, kind: event.kind, stream: event.stream, node: event.node, epoch: event.epoch, detail: event.detail };
}

/** The likeliest fate: the first leader after it that did not have it, then the truncation that removed it, in the order they happened. */
function fateOf(events: readonly ClusterEvent[], ack: SendResult, position: number, ackedBy: string, leaderAtAck: { node: string } | null): string {
  const later = events.filter((event) => event.timeNs >= ack.timeNs);
  const leader = leaderAtAck?.node ?? ackedBy;
  const parts: string[] = [];
  const next = later.find((event) => event.kind === "leader" && event.stream === ack.stream && event.node !== leader);
  if (next !== undefined) {
    const who = next.node === "" ? "its stream lost its leader" : `${next.node} became leader${next.epoch >= 0 ? ` (epoch ${next.epoch})` : ""} without it`;
    parts.push(`${who} at ${seconds(next.timeNs)} (${next.detail})`);
  }
  const cut = later.find((event) => event.kind === "truncation" && event.stream === ack.stream && event.toPosition >= 0 && position >= 0 && event.toPosition <= position);
  const dropped = cut ?? later.find((event) => event.kind === "truncation" && isAbout(event, ack.stream, ackedBy));
  if (dropped !== undefined) parts.push(`${cut === undefined ? "gone with" : "truncated away on"} ${dropped.node}${cut === undefined ? "'s data" : ""} at ${seconds(dropped.timeNs)} (${dropped.detail})`);
  const earlier = events.filter((event) => event.timeNs < ack.timeNs && event.kind === "truncation" && isAbout(event, ack.stream, ackedBy)).at(-1);
  if (parts.length === 0 && earlier !== undefined) {
    return `acknowledged after ${earlier.node}'s truncation at ${seconds(earlier.timeNs)} (${earlier.detail}), perhaps at a position consumers had already read past (a reused offset)`;
  }
  if (parts.length === 0) return "no leader change or truncation recorded after it: dropped where it was stored (power loss, overflow, expiry) or never delivered";
  return parts.join("; then ");
}

function seconds(timeNs: number): string {
  return `${(timeNs / 1e9).toFixed(3)} s`;
}
