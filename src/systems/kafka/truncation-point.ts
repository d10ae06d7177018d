/**
 * Where a follower cuts its log, given the leader's answer to
 * OffsetsForLeaderEpoch for the follower's latest epoch: Kafka's
 * AbstractFetcherThread.getOffsetTruncationState (KIP-279), or KIP-101
 * alone as before Kafka 2.0. A pure function of the follower's log, so each
 * branch is tested on its own (truncation-point.test.ts).
 */
import type { TruncationMode } from "./config.js";
import { UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET, type PartitionLog } from "./partition-log.js";

export interface TruncationPoint {
  offset: number;
  /** False when the follower did not know the epoch the leader answered for: cut there, then ask again with its (older) latest epoch. */
  isComplete: boolean;
}

export function truncationPoint(log: PartitionLog, highWatermark: number, mode: TruncationMode, leaderEpoch: number, leaderEndOffset: number): TruncationPoint {
  const logEnd = log.logEndOffset;
  // The leader knows nothing of our epoch (its log is empty): fall back to our high watermark.
  if (leaderEndOffset === UNDEFINED_EPOCH_OFFSET) return { offset: Math.min(highWatermark, logEnd), isComplete: true };
  // KIP-101 alone, or a leader that does not say which epoch it answered for: its end offset, capped by ours.
  if (leaderEpoch === UNDEFINED_EPOCH || mode === "leader-epoch-kip101") return { offset: Math.min(leaderEndOffset, logEnd), isComplete: true };
  const own = log.endOffsetForEpoch(leaderEpoch);
  if (own.endOffset === UNDEFINED_EPOCH_OFFSET) return { offset: Math.min(leaderEndOffset, logEnd), isComplete: true };
  // We never had the epoch the leader answered for: cut where our largest smaller epoch ends.
  if (own.epoch !== leaderEpoch) return { offset: Math.min(own.endOffset, logEnd), isComplete: false };
  return { offset: Math.min(own.endOffset, leaderEndOffset, logEnd), isComplete: true };
}
