/**
 * A run's story as lanes over virtual time, Jepsen-timeline style, from the
 * summary alone: a lane per node that a fault or a failure detector touched
 * (its faults as bars, "declared down/up" as dots), a "network" lane for
 * partitions, and a lane per stream that matters (those with lost messages
 * first, then those whose leadership or data changed most), each showing
 * its leaders' terms as bars, in-sync changes, step-downs and truncations
 * as marks, and the lost messages where they were acknowledged; a consumer
 * group's lane marks its rebalances.
 *
 * Pure data: the chart (cluster-timeline-chart.ts) only draws these rows.
 */
import { faultIntervals } from "../faults/fault-intervals.js";
import { compareStrings } from "../kernel/order.js";
import { NS_PER_SEC } from "../kernel/time.js";
import { leaderTermEndsNs } from "./leader-terms.js";
import type { RunSummary, SummaryClusterEvent } from "./run-summary.js";

/** Stream lanes at most: more would make a chart no one can read (the cluster events table lists the rest). */
export const STREAM_LANES_MAX = 12;
/** Node lanes at most. */
const NODE_LANES_MAX = 10;
export const NETWORK_LANE = "network";
export const NO_LEADER = "no leader";
export const FAULT = "fault";

/** A bar on a lane: a leader's term (who: the leader), or a fault (who: "fault"). */
export interface TimelineBar {
  lane: string;
  startSeconds: number;
  endSeconds: number;
  who: string;
  label: string;
}

export type MarkKind = "lost message acked" | "truncation" | "leader stepped down" | "in-sync set changed" | "declared down" | "declared up" | "group rebalanced";
export const MARK_KINDS: readonly MarkKind[] = ["lost message acked", "truncation", "leader stepped down", "in-sync set changed", "declared down", "declared up", "group rebalanced"];

const MARK_DRAW_ORDER: readonly MarkKind[] = ["group rebalanced", "in-sync set changed", "declared up", "declared down", "leader stepped down", "truncation", "lost message acked"];

export interface TimelineMark {
  lane: string;
  seconds: number;
  what: MarkKind;
  detail: string;
}

export interface ClusterTimeline {
  /** Lanes top to bottom: nodes, network, streams. */
  lanes: string[];
  bars: TimelineBar[];
  marks: TimelineMark[];
  /** Streams with cluster events that got no lane. */
  streamsLeftOut: number;
  endSeconds: number;
}

export function clusterTimeline(summary: RunSummary): ClusterTimeline {
  const endSeconds = summary.virtualTimeNs / NS_PER_SEC;
  const events = summary.cluster?.events ?? [];
  const streams = chooseStreams(summary, events);
  const faults = faultIntervals(summary.faults, summary.workloadBusy.elapsedNs);
  const isNodeFault = (verb: string): boolean => verb !== "partition" && verb !== "datagramFaults";
  const nodeNames = new Set<string>();
  for (const fault of faults) if (isNodeFault(fault.verb)) nodeNames.add(fault.target);
  for (const event of events) if (event.kind === "node-down" || event.kind === "node-up") nodeNames.add(event.node);
  const nodes = [...nodeNames].sort(compareStrings).slice(0, NODE_LANES_MAX);
  const hasNetwork = faults.some((fault) => !isNodeFault(fault.verb));
  const lanes = [...nodes.map(nodeLane), ...(hasNetwork ? [NETWORK_LANE] : []), ...streams.chosen];
  const laneSet = new Set(lanes);
  const bars: TimelineBar[] = faults
    .map((fault) => ({ lane: isNodeFault(fault.verb) ? nodeLane(fault.target) : NETWORK_LANE, startSeconds: fault.atNs / NS_PER_SEC, endSeconds: fault.endNs / NS_PER_SEC, who: FAULT, label: isNodeFault(fault.verb) ? fault.verb : `${fault.verb} ${fault.target}` }))
    .filter((bar) => laneSet.has(bar.lane));
  bars.push(...leaderTerms(events, laneSet, summary.virtualTimeNs));
  // Drawn in this order, so the marks that explain a loss sit on top of routine ones at the same instant.
  const marks = [...eventMarks(events, laneSet), ...lostMarks(summary, laneSet)].sort((a, b) => MARK_DRAW_ORDER.indexOf(a.what) - MARK_DRAW_ORDER.indexOf(b.what) || a.seconds - b.seconds);
  return { lanes, bars, marks, streamsLeftOut: streams.leftOut, endSeconds };
}

export function nodeLane(node: string): string {
  return `node ${node}`;
}

/** Streams with lost messages first (in the stories' order), then those with the most changes after their first leader. */
function chooseStreams(summary: RunSummary, events: readonly SummaryClusterEvent[]): { chosen: string[]; leftOut: number } {
  const chosen: string[] = [];
  for (const story of summary.lostMessages ?? []) if (story.stream !== "" && !chosen.includes(story.stream) && chosen.length < STREAM_LANES_MAX) chosen.push(story.stream);
  const changes = new Map<string, number>();
  for (const event of events) if (event.stream !== "") changes.set(event.stream, (changes.get(event.stream) ?? 0) + 1);
  const ranked = [...changes].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  for (const [stream] of ranked) if (!chosen.includes(stream) && chosen.length < STREAM_LANES_MAX) chosen.push(stream);
  return { chosen, leftOut: [...changes.keys()].filter((stream) => !chosen.includes(stream)).length };
}

/** Each leader event of a drawn stream starts a term (leader-terms.ts says when it ends). */
function leaderTerms(events: readonly SummaryClusterEvent[], lanes: ReadonlySet<string>, endNs: number): TimelineBar[] {
  const endsNs = leaderTermEndsNs(events, endNs);
  const bars: TimelineBar[] = [];
  events.forEach((event, k) => {
    if (event.kind !== "leader" || !lanes.has(event.stream)) return;
    const who = event.node === "" ? NO_LEADER : event.node;
    const label = event.node === "" ? NO_LEADER : event.epoch >= 0 ? `${event.node} e${event.epoch}` : event.node;
    bars.push({ lane: event.stream, startSeconds: event.timeNs / NS_PER_SEC, endSeconds: endsNs[k]! / NS_PER_SEC, who, label });
  });
  return bars;
}

const MARK_OF: Partial<Record<string, MarkKind>> = {
  truncation: "truncation",
  "step-down": "leader stepped down",
  "in-sync": "in-sync set changed",
  "node-down": "declared down",
  "node-up": "declared up",
  group: "group rebalanced",
};

/** Marks for everything but leaders; a verdict several observers reached at once (RabbitMQ's nodedown on every peer) is one mark. */
function eventMarks(events: readonly SummaryClusterEvent[], lanes: ReadonlySet<string>): TimelineMark[] {
  const marks: TimelineMark[] = [];
  const seen = new Set<string>();
  for (const event of events) {
    const what = MARK_OF[event.kind];
    if (what === undefined) continue;
    const isNodeEvent = event.kind === "node-down" || event.kind === "node-up";
    const lane = isNodeEvent ? nodeLane(event.node) : event.stream;
    if (!lanes.has(lane)) continue;
    const key = `${lane}\u0000${what}\u0000${Math.round(event.timeNs / 1e7)}`;
    if (isNodeEvent && seen.has(key)) continue;
    seen.add(key);
    marks.push({ lane, seconds: event.timeNs / NS_PER_SEC, what, detail: isNodeEvent ? event.detail : `${event.node}: ${event.detail}` });
  }
  return marks;
}

function lostMarks(summary: RunSummary, lanes: ReadonlySet<string>): TimelineMark[] {
  return (summary.lostMessages ?? [])
    .filter((story) => story.ackedAtNs >= 0 && lanes.has(story.stream))
    .map((story) => ({ lane: story.stream, seconds: story.ackedAtNs / NS_PER_SEC, what: "lost message acked" as const, detail: `ids ${story.idFirst}…${story.idFirst + story.count - 1} by ${story.ackedBy || "?"}` }));
}
