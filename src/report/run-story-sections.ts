/**
 * The run report's story sections: the lost messages themselves (where and
 * by whom each was acknowledged, who led its stream then, what the cluster
 * did to it afterwards, its likeliest fate) and the cluster's own events
 * (leaders, in-sync sets, truncations, failure detectors' verdicts), so a
 * failed check can be followed without opening a trace.
 */
import { formatCount, formatInstant } from "./format.js";
import type { Block, Cell, Section } from "./report-blocks.js";
import type { LostMessageStory, RunSummary, StoryEvent } from "./run-summary.js";

/** Cluster events the report lists (summary.json keeps the first 2,000; `--trace` has them all). */
export const CLUSTER_EVENTS_SHOWN = 60;

function idsText(story: LostMessageStory): string {
  return story.count === 1 ? `#${story.idFirst}` : `#${story.idFirst}…#${story.idFirst + story.count - 1}`;
}

function whereText(story: LostMessageStory): string {
  if (story.stream === "") return "never acknowledged";
  return story.position < 0 ? story.stream : `${story.stream} @ ${story.position}`;
}

function ackText(story: LostMessageStory): string {
  if (story.ackedAtNs < 0) return "never";
  return `${formatInstant(story.ackedAtNs)} by ${story.ackedBy || "?"} to ${story.client}`;
}

function leaderText(story: LostMessageStory): string {
  const leader = story.leaderAtAck;
  if (leader === null) return "not recorded";
  if (leader.node === "") return "none";
  return leader.epoch >= 0 ? `${leader.node} (epoch ${leader.epoch})` : leader.node;
}

export function eventLine(event: StoryEvent): string {
  const who = event.node === "" ? "" : ` ${event.node}`;
  const where = event.stream === "" ? "" : ` ${event.stream}`;
  const epoch = event.epoch >= 0 ? ` (epoch ${event.epoch})` : "";
  return `${formatInstant(event.timeNs)} ${event.kind}${where}${who}${epoch}: ${event.detail}`;
}

/** Stories that tell the same thing (kind, stream, acknowledging node, leader, fate), merged into one row. */
function storyRows(stories: readonly LostMessageStory[]): Cell[][] {
  const groups: LostMessageStory[][] = [];
  const keyOf = (story: LostMessageStory): string => [story.kind, story.stream, story.ackedBy, story.client, leaderText(story), story.fate].join("\u0000");
  for (const story of stories) {
    const last = groups[groups.length - 1];
    if (last !== undefined && keyOf(last[0]!) === keyOf(story)) last.push(story);
    else groups.push([story]);
  }
  return groups.map((group): Cell[] => {
    const first = group[0]!;
    if (group.length === 1) return [{ text: `${first.kind} ${idsText(first)}`, tone: "bad" }, whereText(first), ackText(first), leaderText(first), first.fate];
    const last = group[group.length - 1]!;
    const messages = group.reduce((sum, story) => sum + story.count, 0);
    const ids = `${first.kind}: ${formatCount(messages)} messages, #${first.idFirst}…#${last.idFirst + last.count - 1}`;
    const where = first.position < 0 ? first.stream : `${first.stream} @ ${first.position}…${last.position + last.count - 1}`;
    const when = `${formatInstant(first.ackedAtNs)}–${formatInstant(last.ackedAtNs)} by ${first.ackedBy || "?"} to ${first.client}`;
    return [{ text: ids, tone: "bad" }, where, when, leaderText(first), first.fate];
  });
}

/** Absent when the lost check found nothing (or the summary predates stories). */
export function lostMessagesSection(s: RunSummary): Section | null {
  const stories = s.lostMessages ?? [];
  if (stories.length === 0) return null;
  const rows = storyRows(stories);
  const blocks: Block[] = [
    { kind: "paragraph", text: `The messages the lost check found lost or unseen (the first ${formatCount(stories.length)} ranges), where they were acknowledged, and what became of them:` },
    { kind: "table", table: { header: ["messages", "stream @ position", "acknowledged", "leader then", "fate"], rows } },
  ];
  const first = stories[0]!;
  if (first.after.length > 0) {
    blocks.push({ kind: "paragraph", text: `What the cluster did after ${idsText(first)} was acknowledged:` }, { kind: "list", items: first.after.map(eventLine) });
  }
  return { id: "lost-messages", title: "Lost messages", blocks };
}

/** Absent when the system recorded no event (or the summary predates the cluster log). */
export function clusterEventsSection(s: RunSummary): Section | null {
  const cluster = s.cluster;
  if (cluster === undefined || cluster.events.length === 0) return null;
  const shown = cluster.events.slice(0, CLUSTER_EVENTS_SHOWN);
  const rows = shown.map((event): Cell[] => [
    formatInstant(event.timeNs),
    event.kind === "truncation" ? { text: event.kind, tone: "bad" } : event.kind,
    event.stream,
    event.node === "" && event.kind === "leader" ? "none" : event.node,
    event.epoch >= 0 ? String(event.epoch) : "",
    event.detail,
  ]);
  const more = cluster.events.length - shown.length + cluster.leftOut;
  const blocks: Block[] = [{ kind: "table", table: { header: ["time", "event", "stream", "node", "epoch", "detail"], align: ["right", "left", "left", "left", "right", "left"], rows } }];
  if (more > 0) blocks.push({ kind: "paragraph", text: `${formatCount(more)} more events: summary.json lists the first ${formatCount(cluster.events.length)}, and the Perfetto trace (--trace) has every one.` });
  return { id: "cluster-events", title: "Cluster events (leaders, in-sync sets, truncations, failure detection)", blocks };
}
