/**
 * How the disk serves an fsync (Disk.fsync, after its process checks):
 * answered at once after a command round trip when the fsyncLies fault is
 * on (nothing written) or when nothing of the file is dirty or in flight;
 * otherwise the file's dirty data goes to the device as one write, and the
 * fsync waits for a flush behind it: one already queued and not started
 * when it can share it (group commit, across files too), else a new one.
 */
import type { Marks } from "../kernel/marks.js";
import type { Trace } from "../kernel/trace.js";
import type { DiskCompletions, DiskOp } from "./disk-completions.js";
import { DeviceRequest, type DiskDevice } from "./disk-device.js";
import type { DiskFaults } from "./disk-faults.js";
import type { DiskFile } from "./disk-file.js";
import type { DiskProfile } from "./disk-profile.js";
import type { DiskCounters } from "./disk-stats.js";

export interface DiskFsyncOptions {
  trace: Trace;
  marks: Marks | null;
  device: DiskDevice;
  completions: DiskCompletions;
  counters: DiskCounters;
  faults: DiskFaults;
  profile: DiskProfile;
  /** Disk's own write submission (the file's submitted prefix grows), ahead of `aheadOf` when given. */
  submitWrite(file: DiskFile, start: number, end: number, isWriteback: boolean, aheadOf?: DeviceRequest | null): DeviceRequest;
}

export class DiskFsyncs {
  constructor(private readonly options: DiskFsyncOptions) {}

  /** Serves `op`, an fsync of op.file up to op.targetBytes. */
  serve(op: DiskOp): void {
    const { trace, marks, completions, counters, faults, profile } = this.options;
    const file = op.file;
    const targetBytes = op.targetBytes;
    if (faults.isFsyncLying) {
      // Success after a command round trip, nothing written: the data stays
      // dirty and survives a power loss only if writeback got to it first.
      counters.lyingFsyncs++;
      marks?.hit("disk.fsync-lie");
      trace.record("disk.fsync-lie", file.subject, targetBytes, file.durableBytes);
      completions.deliver(op, profile.opLatencyNs);
      return;
    }
    if (file.durableBytes === targetBytes) {
      // Nothing of this file is dirty or in flight, and in this model a
      // completed write is already durable: there is nothing to flush.
      marks?.hit("disk.fsync-clean");
      trace.record("disk.fsync-done", file.subject, targetBytes, file.durableBytes);
      completions.deliver(op, profile.opLatencyNs);
      return;
    }
    this.writeAndFlush(op, file, targetBytes);
  }

  private writeAndFlush(op: DiskOp, file: DiskFile, targetBytes: number): void {
    const { marks, device, submitWrite } = this.options;
    const flush = device.latestQueuedFlush;
    if (file.submittedBytes < targetBytes && flush !== null && file.lastWriteSeq < flush.seq && !hasWaiterFor(flush, file)) {
      // Group commit across files: a flush not yet started takes this file's data too (see submitBefore). Only when
      // every earlier write of the file is ahead of that flush, so the file's writes stay in order.
      submitWrite(file, file.submittedBytes, targetBytes, false, flush);
      marks?.hit("disk.group-commit-files");
      flush.waiters.push(op);
      return;
    }
    if (file.submittedBytes < targetBytes) submitWrite(file, file.submittedBytes, targetBytes, false);
    if (flush !== null && file.lastWriteSeq < flush.seq) {
      marks?.hit("disk.group-commit");
      flush.waiters.push(op);
      return;
    }
    const request = new DeviceRequest("flush", null, 0, 0, 0, device.nextSeq(), false);
    request.waiters.push(op);
    device.submit(request);
  }
}

/** The flush already serves an fsync of this file: one write per file per commit, so a commit cannot be put off forever. */
function hasWaiterFor(flush: DeviceRequest, file: DiskFile): boolean {
  for (const op of flush.waiters) if (op.file === file) return true;
  return false;
}
