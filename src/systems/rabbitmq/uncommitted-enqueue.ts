/**
 * Finding a channel's publish that an earlier leader put in a quorum queue
 * member's log but did not commit: a resent publish is then not proposed a
 * second time (rabbit_fifo_client resends; the queue applies it once).
 */
import type { ChannelRef, QuorumCommand } from "./protocol.js";
import type { RaftMember } from "../../raft/raft-member.js";

/**
 * The index of an uncommitted enqueue of this channel's publish that an
 * earlier leader put in this member's log, or 0. Only entries of earlier
 * terms can be such: the scan stops at the first of this term, so once the
 * leader's no-op commits it costs nothing.
 */
export function uncommittedEnqueueIndex(raft: RaftMember<QuorumCommand>, from: ChannelRef, pubSeq: number): number {
  const last = raft.log.lastIndex;
  for (let index = raft.commitIndex + 1; index <= last; index++) {
    const entry = raft.log.entryAt(index);
    if (entry.term >= raft.term) break;
    const command = entry.command;
    if (command !== null && command.op === "enqueue" && command.pubSeq === pubSeq && command.from.node === from.node && command.from.channel === from.channel) return index;
  }
  return 0;
}
