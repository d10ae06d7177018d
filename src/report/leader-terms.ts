/**
 * When each leader's term ends, for the cluster log's "leader" events: at the
 * stream's next leader event (the cluster's next decision, which may be "no
 * leader") or at the end of the run. One rule for every view that draws
 * terms (the run report's timeline, the Perfetto trace).
 */
export interface LeaderEventLike {
  timeNs: number;
  kind: string;
  stream: string;
}

/** Per event: the end of the term it starts (in ns), or -1 for events that are not "leader" events. One backward pass. */
export function leaderTermEndsNs(events: readonly LeaderEventLike[], endNs: number): Float64Array {
  const ends = new Float64Array(events.length).fill(-1);
  const laterLeaderNs = new Map<string, number>();
  for (let k = events.length - 1; k >= 0; k--) {
    const event = events[k]!;
    if (event.kind !== "leader") continue;
    ends[k] = Math.max(event.timeNs, laterLeaderNs.get(event.stream) ?? endNs);
    laterLeaderNs.set(event.stream, event.timeNs);
  }
  return ends;
}
