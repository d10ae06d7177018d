/**
 * What a saturation run's history says about its steady-state window, the
 * same for every design: acknowledged messages in the window (rate, carried
 * share, per-bucket steadiness), when start-up was over, and what the
 * producers had handed over without an answer by the window's end.
 */
import type { History } from "../../src/history/history.js";
import type { SaturationOptions, SaturationThroughput } from "./design.js";

export type WindowAcks = Pick<SaturationThroughput, "ackedBytesPerSec" | "ackedMessagesPerSec" | "carriedShare" | "rampEndNs" | "bucketBytesPerSec" | "producerBacklogBytes">;

/** The window's figures, plus the acknowledged payload bytes in it (for per-byte ratios). */
export function windowAcks(history: History, sat: SaturationOptions, messageBytes: number, offeredBytesPerSec: number): { acks: WindowAcks; ackedBytes: number } {
  const windowNs = sat.windowToNs - sat.windowFromNs;
  const buckets = new Array<number>(Math.ceil(windowNs / sat.bucketNs)).fill(0);
  /** Acknowledged messages per bucket from time 0 to the window's end, to see when start-up is over. */
  const fromStart = new Array<number>(Math.ceil(sat.windowToNs / sat.bucketNs)).fill(0);
  let acked = 0;
  let handedOver = 0;
  let resolved = 0;
  for (const event of history.events) {
    if (event.timeNs >= sat.windowToNs) continue;
    if (event.type === "send") handedOver += event.count;
    if (event.type !== "send-result") continue;
    resolved += event.count;
    if (event.outcome !== "ok") continue;
    const sinceStart = Math.floor(event.timeNs / sat.bucketNs);
    fromStart[sinceStart] = fromStart[sinceStart]! + event.count;
    if (event.timeNs < sat.windowFromNs) continue;
    acked += event.count;
    const bucket = Math.floor((event.timeNs - sat.windowFromNs) / sat.bucketNs);
    buckets[bucket] = buckets[bucket]! + event.count;
  }
  const seconds = windowNs / 1e9;
  const ackedBytes = acked * messageBytes;
  const steadyPerBucket = (0.9 * acked * sat.bucketNs) / windowNs;
  const rampBucket = fromStart.findIndex((count) => count >= steadyPerBucket);
  const acks: WindowAcks = {
    ackedBytesPerSec: ackedBytes / seconds,
    ackedMessagesPerSec: acked / seconds,
    carriedShare: ackedBytes / seconds / offeredBytesPerSec,
    rampEndNs: rampBucket < 0 ? sat.windowToNs : (rampBucket + 1) * sat.bucketNs,
    bucketBytesPerSec: buckets.map((count, k) => (count * messageBytes) / (Math.min(sat.bucketNs, windowNs - k * sat.bucketNs) / 1e9)),
    producerBacklogBytes: (handedOver - resolved) * messageBytes,
  };
  return { acks, ackedBytes };
}

/** Messages the whole run got acknowledged, and in how many send-results (batches or publishes). */
export function ackedInHistory(history: History): { ackedMessages: number; ackedBatches: number } {
  let ackedMessages = 0;
  let ackedBatches = 0;
  for (const event of history.events) {
    if (event.type !== "send-result" || event.outcome !== "ok") continue;
    ackedMessages += event.count;
    ackedBatches++;
  }
  return { ackedMessages, ackedBatches };
}
