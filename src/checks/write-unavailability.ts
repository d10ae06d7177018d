/**
 * Write unavailability per stream (a Kafka partition, a RabbitMQ or
 * ActiveMQ queue, a RocketMQ message queue), from the history alone.
 *
 * Definition: each answered send waits on its stream from its offer until
 * its answer or the stream's next acknowledgement of anything (any
 * producer's message), whichever comes first. Waits on one stream chain
 * into one window while they overlap or follow each other within `gapNsMin`
 * (100 ms) with no acknowledgement between them: producers kept trying and
 * nothing got through. A window longer than `gapNsMin` is unavailability;
 * shorter ones are ordinary latency. A window holding a refused send (an
 * error, or a timeout or lost connection whose fate the client could not
 * learn) is "refused" time.
 *
 * So a leader that is gone shows from the first message that waited for it
 * until the new leader's first acknowledgement, and a queue that refuses
 * every send for 3 s shows 3 s, even though each refusal took a millisecond.
 * A busy stream whose messages queue but keep being acknowledged is not
 * unavailable. Time when nobody offered the stream anything is not counted
 * (nothing says whether it would have worked), and sends never answered
 * name no stream and are not counted.
 *
 * Why not client errors: a producer may see no error for seconds (its
 * request waits for a leader that is gone), and one success on another
 * partition says nothing about this one.
 *
 * A producer that cannot send at all (its connection down, no broker to
 * send to) offers nothing to any stream: its error windows (from a failed
 * send to its next success, unavailability.ts) in which it got no answer at
 * all (producerDownWindows) count in the total, as refused time. A window
 * with answers inside (refusals) is the streams' business, measured above.
 *
 * Reported: per stream, the total of its windows; the worst stream; the
 * total, the union over streams and producers' down windows (time during
 * which some stream was unavailable or some producer could not send).
 */
import type { History } from "../history/history.js";
import type { DurationNs, TimeNs } from "../kernel/time.js";
import { unionNs, type Interval } from "./interval-union.js";

/** Shorter waits for the next acknowledgement are ordinary latency. */
export const WRITE_GAP_NS_MIN = 100_000_000;

export interface StreamUnavailability {
  stream: string;
  unavailableNs: DurationNs;
  /** The part opened by refused or unknown sends. */
  refusedNs: DurationNs;
}

export interface WriteUnavailability {
  /** Time during which at least one stream was unavailable. */
  totalNs: DurationNs;
  /** Time during which at least one stream was unavailable because of a refused or unknown send. */
  refusedNs: DurationNs;
  /** The stream unavailable longest, or null when none was. */
  worst: StreamUnavailability | null;
  /** Every stream with some unavailability, longest first (then by name). */
  streams: StreamUnavailability[];
}

export type { Interval };

interface StreamResults {
  /** Acknowledgement times, in time order (the history's). */
  ackNs: number[];
  /** Each answered send's offer time, answer time, and whether it was refused (1) or not (0), in the same order. */
  offerNs: number[];
  resultNs: number[];
  isRefused: number[];
}

export function measureWriteUnavailability(history: History, producerDownWindows: readonly Interval[] = [], gapNsMin: DurationNs = WRITE_GAP_NS_MIN): WriteUnavailability {
  const streams: StreamUnavailability[] = [];
  const all: Interval[] = producerDownWindows.map((window) => ({ startNs: window.startNs, endNs: window.endNs }));
  const refusedAll: Interval[] = [...all];
  for (const [stream, results] of resultsByStream(history)) {
    const windows = windowsOf(results, gapNsMin);
    if (windows.length === 0) continue;
    const refused = windows.filter((window) => window.isRefused);
    streams.push({ stream, unavailableNs: unionNs(windows), refusedNs: unionNs(refused) });
    all.push(...windows);
    refusedAll.push(...refused);
  }
  streams.sort((a, b) => b.unavailableNs - a.unavailableNs || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  return { totalNs: unionNs(all), refusedNs: unionNs(refusedAll), worst: streams[0] ?? null, streams };
}

/** One stream's waits chained into windows; those longer than `gapNsMin`. */
function windowsOf(results: StreamResults, gapNsMin: DurationNs): (Interval & { isRefused: boolean })[] {
  const waits: (Interval & { isRefused: boolean })[] = [];
  for (let k = 0; k < results.offerNs.length; k++) {
    const startNs = results.offerNs[k]!;
    const nextAckNs = firstAtOrAfter(results.ackNs, startNs) ?? Number.POSITIVE_INFINITY;
    waits.push({ startNs, endNs: Math.min(results.resultNs[k]!, nextAckNs), isRefused: results.isRefused[k] === 1 });
  }
  waits.sort((a, b) => a.startNs - b.startNs || a.endNs - b.endNs);
  const windows: (Interval & { isRefused: boolean })[] = [];
  let current: (Interval & { isRefused: boolean }) | null = null;
  for (const wait of waits) {
    if (current !== null && wait.startNs <= current.endNs + gapNsMin && !hasAckBetween(results.ackNs, current.endNs, wait.startNs)) {
      current.endNs = Math.max(current.endNs, wait.endNs);
      current.isRefused ||= wait.isRefused;
      continue;
    }
    if (current !== null && current.endNs - current.startNs > gapNsMin) windows.push(current);
    current = { ...wait };
  }
  if (current !== null && current.endNs - current.startNs > gapNsMin) windows.push(current);
  return windows;
}

/** An acknowledgement in [fromNs, toNs) (the window that ended at fromNs ended at it, or one came before the next wait began). */
function hasAckBetween(ackNs: readonly number[], fromNs: TimeNs, toNs: TimeNs): boolean {
  if (toNs <= fromNs) return false;
  const next = firstAtOrAfter(ackNs, fromNs);
  return next !== null && next < toNs;
}

/** Per stream (Map order: first result), its acknowledgement times and its answered sends' offer times (when the send event of the result's first id happened). */
function resultsByStream(history: History): Map<string, StreamResults> {
  const offerNsById = offerTimes(history);
  const byStream = new Map<string, StreamResults>();
  for (const event of history.events) {
    if (event.type !== "send-result" || event.stream === "") continue;
    let results = byStream.get(event.stream);
    if (results === undefined) {
      results = { ackNs: [], offerNs: [], resultNs: [], isRefused: [] };
      byStream.set(event.stream, results);
    }
    if (event.outcome === "ok") results.ackNs.push(event.timeNs);
    const offerNs = event.idFirst < offerNsById.length ? offerNsById[event.idFirst]! : -1;
    results.offerNs.push(offerNs >= 0 ? offerNs : event.timeNs);
    results.resultNs.push(event.timeNs);
    results.isRefused.push(event.outcome === "ok" ? 0 : 1);
  }
  return byStream;
}

/** When each message id was first offered (its send event), −1 for ids never sent. */
function offerTimes(history: History): Float64Array {
  let idLimit = 0;
  for (const event of history.events) if (event.type === "send") idLimit = Math.max(idLimit, event.idFirst + event.count);
  const offerNs = new Float64Array(idLimit).fill(-1);
  for (const event of history.events) {
    if (event.type !== "send") continue;
    for (let id = event.idFirst; id < event.idFirst + event.count; id++) if (offerNs[id]! < 0) offerNs[id] = event.timeNs;
  }
  return offerNs;
}

/** The first time ≥ `timeNs` in a sorted array, or null. */
function firstAtOrAfter(sorted: readonly number[], timeNs: TimeNs): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < timeNs) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? sorted[lo]! : null;
}

/** The clients' send error windows in which the client got no send-result at all: it could not send (its connection down). */
export function producerDownWindows(history: History, clientWindows: readonly (Interval & { client: string })[], gapNsMin: DurationNs = WRITE_GAP_NS_MIN): Interval[] {
  const resultNsByClient = new Map<string, number[]>();
  for (const event of history.events) {
    if (event.type !== "send-result") continue;
    let times = resultNsByClient.get(event.client);
    if (times === undefined) {
      times = [];
      resultNsByClient.set(event.client, times);
    }
    times.push(event.timeNs);
  }
  return clientWindows.filter((window) => {
    if (window.endNs - window.startNs <= gapNsMin) return false;
    // Strictly inside: the results that opened and closed it sit on its edges.
    const next = firstAtOrAfter(resultNsByClient.get(window.client) ?? [], window.startNs + 1);
    return next === null || next >= window.endNs;
  });
}
