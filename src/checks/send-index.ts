/**
 * What the producers were told about each message, indexed by message id in
 * typed arrays: was it sent, what outcomes did its send-results report, and
 * where was it acknowledged. Several checkers start from this.
 *
 * A message may have several send-results (a producer retried the batch with
 * the same ids): it counts as acknowledged if any result was "ok". Its
 * acknowledged place is the first "ok" result that names a position (or, if
 * none does, the first "ok" result, with position -1).
 */
import type { History, MessageId } from "../history/history.js";
import { Interner } from "./interner.js";

/** Bits of SendIndex.flags. */
export const SENT = 1;
export const OUTCOME_OK = 2;
export const OUTCOME_ERROR = 4;
export const OUTCOME_UNKNOWN = 8;

export interface SendIndex {
  /** Ids are in [0, idLimit). */
  idLimit: number;
  /** SENT | OUTCOME_* bits per id. */
  flags: Uint8Array;
  /** The sending client (interned in `producers`) per id; -1 if never sent. */
  producer: Int32Array;
  producers: Interner;
  /** Acknowledged stream (interned in `streams`) per id; -1 if never acknowledged. */
  ackStream: Int32Array;
  /** Acknowledged position per id; -1 if unknown or never acknowledged. */
  ackPosition: Float64Array;
  /** Index of the acknowledging send-result event per id; -1 if none. */
  ackEvent: Int32Array;
  /** Index of the last send-result event per id; -1 if none. */
  lastResultEvent: Int32Array;
  /** How many ids have an "ok" result. */
  acked: number;
}

export function isInIdRange(index: SendIndex, id: MessageId): boolean {
  return id >= 0 && id < index.idLimit && Number.isInteger(id);
}

interface CachedIndex {
  eventCount: number;
  idLimit: number;
  index: SendIndex;
  /** The streams the build interned, in the order it numbered them. */
  streamNames: readonly string[];
}

/**
 * The last index built for each history. Several checkers of one run start
 * from the same index; the index is read-only once built, so they share one.
 * A history only grows, so its length and idLimit tell whether it changed.
 */
const cache = new WeakMap<History, CachedIndex>();

/**
 * `streams` lets a checker share stream numbering with the index: the
 * index's ok results intern their streams into it in history order. Checkers
 * must treat the returned index as read-only (it may be shared).
 */
export function buildSendIndex(history: History, streams: Interner = new Interner()): SendIndex {
  const cached = cache.get(history);
  if (cached !== undefined && cached.eventCount === history.length && cached.idLimit === history.idLimit && internsAlike(streams, cached.streamNames)) {
    return cached.index;
  }
  const own = new Interner();
  const index = build(history, own);
  cache.set(history, { eventCount: history.length, idLimit: history.idLimit, index, streamNames: own.names });
  if (internsAlike(streams, own.names)) return index;
  // The caller's numbering differs from the shared index's: build one in it.
  return build(history, streams);
}

/** Interns `names` into `streams` in order; true if each got the number it has in `names`. */
function internsAlike(streams: Interner, names: readonly string[]): boolean {
  if (streams.size > names.length) return false;
  for (let i = 0; i < streams.size; i++) if (streams.name(i) !== names[i]) return false;
  for (let i = streams.size; i < names.length; i++) streams.intern(names[i]!);
  return true;
}

function build(history: History, streams: Interner): SendIndex {
  const idLimit = history.idLimit;
  const index: SendIndex = {
    idLimit,
    flags: new Uint8Array(idLimit),
    producer: new Int32Array(idLimit).fill(-1),
    producers: new Interner(),
    ackStream: new Int32Array(idLimit).fill(-1),
    ackPosition: new Float64Array(idLimit).fill(-1),
    ackEvent: new Int32Array(idLimit).fill(-1),
    lastResultEvent: new Int32Array(idLimit).fill(-1),
    acked: 0,
  };
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type === "send") recordSend(index, e.client, e.idFirst, e.count);
    else if (e.type === "send-result") {
      const stream = e.outcome === "ok" ? streams.intern(e.stream) : -1;
      recordResult(index, i, e.outcome, stream, e.position, e.idFirst, e.count);
    }
  }
  return index;
}

function recordSend(index: SendIndex, client: string, idFirst: MessageId, count: number): void {
  const producer = index.producers.intern(client);
  const [from, to] = clamp(index, idFirst, count);
  for (let id = from; id < to; id++) {
    index.flags[id]! |= SENT;
    if (index.producer[id] === -1) index.producer[id] = producer;
  }
}

function recordResult(
  index: SendIndex,
  eventIndex: number,
  outcome: "ok" | "error" | "unknown",
  stream: number,
  position: number,
  idFirst: MessageId,
  count: number,
): void {
  const bit = outcome === "ok" ? OUTCOME_OK : outcome === "error" ? OUTCOME_ERROR : OUTCOME_UNKNOWN;
  const [from, to] = clamp(index, idFirst, count);
  for (let id = from; id < to; id++) {
    const before = index.flags[id]!;
    index.flags[id] = before | bit;
    index.lastResultEvent[id] = eventIndex;
    if (outcome !== "ok") continue;
    if ((before & OUTCOME_OK) === 0) index.acked++;
    // The first result that names a position wins; an earlier positionless "ok" yields to it.
    const placed = index.ackPosition[id]! >= 0;
    if (placed || (index.ackEvent[id] !== -1 && position < 0)) continue;
    index.ackStream[id] = stream;
    index.ackPosition[id] = position < 0 ? -1 : position + (id - idFirst);
    index.ackEvent[id] = eventIndex;
  }
}

/** The part of [idFirst, idFirst + count) inside [0, idLimit), as [from, to). */
export function clamp(index: { idLimit: number }, idFirst: MessageId, count: number): [number, number] {
  return [Math.max(0, idFirst), Math.min(index.idLimit, idFirst + count)];
}
