/**
 * Numbers read off a finished History, for any system: message counts,
 * produce and end-to-end latency distributions, and per-bucket timelines of
 * acknowledgements, applied effects, backlog and failed sends. Quantiles come
 * from an HDR histogram (latency-histogram.ts: within 0.1% of the exact
 * sample), the one implementation every report and bench uses.
 */
import type { History, HistoryEvent } from "./history.js";
import { latencySummary, newLatencyHistogram, percentileNs } from "./latency-histogram.js";
import { compareStrings } from "../kernel/order.js";
import type { LatencySummary, LatencyTimeline, TimelineSummary } from "../report/run-summary.js";

export interface HistoryMetrics {
  messages: { sent: number; acked: number; failed: number; unknown: number; applied: number };
  /** Acknowledged messages per producing client. */
  ackedByClient: Map<string, number>;
  produce: LatencySummary;
  endToEnd: LatencySummary | null;
  request: LatencySummary | null;
  timeline: TimelineSummary;
}

/** `endNs` is where the timeline stops (later events fall in the last bucket). */
export function historyMetrics(history: History, bucketNs: number, endNs: number): HistoryMetrics {
  const idLimit = history.idLimit;
  const sentAtNs = new Float64Array(idLimit).fill(-1);
  const outcome = new Uint8Array(idLimit); // 1 ok, 2 error, 3 unknown (the best seen)
  const buckets = Math.max(1, Math.ceil(endNs / bucketNs));
  const acked = new Array<number>(buckets).fill(0);
  const failedSends = new Array<number>(buckets).fill(0);
  const effects: EffectTally = { buckets, applied: new Array<number>(buckets).fill(0), byGroup: new Map(), once: new Uint8Array(idLimit), endToEnd: [] };
  const { applied, byGroup: appliedByGroup, once: appliedOnce, endToEnd } = effects;
  const produceLatencies: number[] = [];
  /** Each produce latency's bucket (by acknowledgement time), in the same order: non-decreasing, as the history is. */
  const produceBuckets: number[] = [];
  const noteProduceLatency = (latencyNs: number, bucket: number): void => {
    produceLatencies.push(latencyNs);
    produceBuckets.push(bucket);
  };
  const requests: number[] = [];
  const ackedByClient = new Map<string, number>();
  const bucketOf = (timeNs: number): number => Math.min(buckets - 1, Math.floor(timeNs / bucketNs));
  for (const event of history.events) {
    switch (event.type) {
      case "send":
        for (let id = event.idFirst; id < event.idFirst + event.count; id++) if (sentAtNs[id] === -1) sentAtNs[id] = event.timeNs;
        break;
      case "send-result": {
        const code = event.outcome === "ok" ? 1 : event.outcome === "error" ? 2 : 3;
        let isNewAck = false;
        for (let id = event.idFirst; id < event.idFirst + event.count; id++) {
          if (outcome[id] === 1) continue;
          if (code === 1) {
            isNewAck = true;
            ackedByClient.set(event.client, (ackedByClient.get(event.client) ?? 0) + 1);
            acked[bucketOf(event.timeNs)]! += 1;
          }
          outcome[id] = outcome[id] === 0 || code === 1 ? code : Math.min(outcome[id]!, code);
        }
        if (isNewAck && sentAtNs[event.idFirst]! >= 0) noteProduceLatency(event.timeNs - sentAtNs[event.idFirst]!, bucketOf(event.timeNs));
        break;
      }
      case "effect":
        tallyEffect(effects, event, bucketOf(event.timeNs), sentAtNs);
        break;
      case "request":
        if (event.outcome === "ok") requests.push(event.timeNs - event.startNs);
        break;
      case "op-failed":
        if (event.op === "send") failedSends[bucketOf(event.timeNs)]! += 1;
        break;
      default:
        break;
    }
  }
  return {
    messages: messageCounts(sentAtNs, outcome, appliedOnce),
    ackedByClient,
    produce: latencySummary(produceLatencies),
    endToEnd: endToEnd.length === 0 ? null : latencySummary(endToEnd),
    request: requests.length === 0 ? null : latencySummary(requests),
    timeline: { bucketNs, acked, applied, backlogByGroup: backlogs(acked, appliedByGroup), failedSends, produceLatency: latencyByBucket(produceLatencies, produceBuckets, buckets) },
  };
}

/** Applied effects: per bucket, per group, each id's first (for end-to-end latency). */
interface EffectTally {
  buckets: number;
  applied: number[];
  byGroup: Map<string, number[]>;
  once: Uint8Array;
  endToEnd: number[];
}

function tallyEffect(tally: EffectTally, event: Extract<HistoryEvent, { type: "effect" }>, bucket: number, sentAtNs: Float64Array): void {
  let series = tally.byGroup.get(event.group);
  if (series === undefined) {
    series = new Array<number>(tally.buckets).fill(0);
    tally.byGroup.set(event.group, series);
  }
  series[bucket]! += event.count;
  tally.applied[bucket]! += event.count;
  for (let id = event.idFirst; id < event.idFirst + event.count; id++) {
    if (tally.once[id] === 1) continue;
    tally.once[id] = 1;
    if (sentAtNs[id]! >= 0) tally.endToEnd.push(event.timeNs - sentAtNs[id]!);
  }
}

/** p50, p99 and max of the produce latencies acknowledged in each bucket (null where none was). */
function latencyByBucket(latencies: readonly number[], bucketOfSample: readonly number[], buckets: number): LatencyTimeline {
  const series: LatencyTimeline = { p50Ns: new Array<number | null>(buckets).fill(null), p99Ns: new Array<number | null>(buckets).fill(null), maxNs: new Array<number | null>(buckets).fill(null) };
  const histogram = newLatencyHistogram();
  const close = (bucket: number): void => {
    series.p50Ns[bucket] = percentileNs(histogram, 50);
    series.p99Ns[bucket] = percentileNs(histogram, 99);
    series.maxNs[bucket] = histogram.maxValue;
    histogram.reset();
  };
  for (let k = 0; k < latencies.length; k++) {
    const bucket = bucketOfSample[k]!;
    if (k > 0 && bucket !== bucketOfSample[k - 1]) close(bucketOfSample[k - 1]!);
    histogram.recordValue(Math.max(0, Math.round(latencies[k]!)));
  }
  if (latencies.length > 0) close(bucketOfSample[latencies.length - 1]!);
  histogram.destroy();
  return series;
}

/** Messages by what became of them: each id counted once, by the best outcome its sender saw. */
function messageCounts(sentAtNs: Float64Array, outcome: Uint8Array, appliedOnce: Uint8Array): HistoryMetrics["messages"] {
  const counts = { sent: 0, acked: 0, failed: 0, unknown: 0, applied: 0 };
  for (let id = 0; id < sentAtNs.length; id++) {
    if (sentAtNs[id]! >= 0) counts.sent++;
    if (outcome[id] === 1) counts.acked++;
    else if (outcome[id] === 2) counts.failed++;
    else if (outcome[id] === 3) counts.unknown++;
    if (appliedOnce[id] === 1) counts.applied++;
  }
  return counts;
}

/** Acknowledged minus applied, cumulatively, per group, at each bucket's end. */
function backlogs(acked: readonly number[], appliedByGroup: ReadonlyMap<string, number[]>): { group: string; values: number[] }[] {
  const groups = [...appliedByGroup.keys()].sort(compareStrings);
  return groups.map((group) => {
    const series = appliedByGroup.get(group)!;
    let backlog = 0;
    return { group, values: acked.map((count, k) => (backlog = Math.max(0, backlog + count - series[k]!))) };
  });
}

