/**
 * A queue's record in the cluster metadata (Mnesia's `rabbit_queue` table),
 * as one node sees it: where the master runs, the mirrors in the order they
 * joined (oldest first: the oldest synchronised mirror is promoted), which
 * mirrors are synchronised, and for quorum queues the members and the last
 * known leader. Every change bumps `epoch`; nodes gossip records and keep
 * the newer one, so views converge once nodes can talk.
 */
import { compareStrings } from "../../kernel/index.js";
import type { QueueType } from "./config.js";

export interface QueueRecord {
  name: string;
  type: QueueType;
  epoch: number;
  /** The node running the (classic) master; null while no node serves the queue. */
  master: string | null;
  /** Mirror nodes, oldest first (classic mirrored queues). */
  mirrors: string[];
  /** Mirrors holding every message the master holds. */
  synced: string[];
  /** Quorum queues: the Raft members and the leader last heard of. */
  members: string[];
  leader: string | null;
}

/** True when `a` should replace `b`: a higher epoch, or the same epoch from a master that sorts first. */
export function isNewerRecord(a: QueueRecord, b: QueueRecord): boolean {
  if (a.epoch !== b.epoch) return a.epoch > b.epoch;
  if (a.master === b.master) return false;
  if (a.master === null) return false;
  if (b.master === null) return true;
  return compareStrings(a.master, b.master) < 0;
}

export function copyRecord(record: QueueRecord): QueueRecord {
  return { ...record, mirrors: [...record.mirrors], synced: [...record.synced], members: [...record.members] };
}
