/**
 * What goes wrong with one machine's disk: the injected faults (a slow
 * device, a full disk, an fsync that lies, writes that tear at power loss)
 * and what a power loss leaves of each file — its durable prefix, plus the
 * landed sectors of a write cut short when writes tear.
 *
 * Separate from disk.ts, which models the disk working (page cache,
 * writeback, fsync, reads): this is the failure model, read in one place.
 * Disk keeps the totals (bytes used, dirty) and applies what this returns.
 */
import { assert } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import type { Scheduler } from "../kernel/scheduler.js";
import type { Trace } from "../kernel/trace.js";
import { landedSectorBytes, type DeviceRequest, type DiskDevice } from "./disk-device.js";
import type { DiskFile } from "./disk-file.js";
import type { DiskCounters } from "./disk-stats.js";
import type { WorldNode } from "./node.js";

export class DiskFaults {
  /** Every append fails with "disk-full" while on. */
  isFull = false;
  /** fsync returns success without writing anything while on. */
  isFsyncLying = false;
  /** A write in progress at a power loss lands partially while on. */
  areWritesTearing = false;
  private readonly node: WorldNode;
  private readonly scheduler: Scheduler;
  private readonly trace: Trace;
  private readonly marks: Marks | null;
  private readonly device: DiskDevice;
  private readonly counters: DiskCounters;

  constructor(options: { node: WorldNode; scheduler: Scheduler; trace: Trace; marks: Marks | null; device: DiskDevice; counters: DiskCounters }) {
    this.node = options.node;
    this.scheduler = options.scheduler;
    this.trace = options.trace;
    this.marks = options.marks;
    this.device = options.device;
    this.counters = options.counters;
  }

  // ------------------------------------------------------- switches (by World: disk.faults)

  /** Every device request takes `factor` times as long (1 = normal); applies to requests that start later. */
  setSlow(factor: number): void {
    assert(Number.isFinite(factor) && factor > 0, `slow-disk factor must be > 0, got ${factor}`);
    this.device.slowFactor = factor;
    this.trace.record("disk.fault-slow", this.node.name, factor);
  }

  /** Every append fails with "disk-full" while on. */
  setFull(isOn: boolean): void {
    this.isFull = isOn;
    this.trace.record("disk.fault-full", this.node.name, isOn ? 1 : 0);
  }

  /** fsync returns success without writing anything while on. */
  setFsyncLies(isOn: boolean): void {
    this.isFsyncLying = isOn;
    this.trace.record("disk.fault-fsync-lies", this.node.name, isOn ? 1 : 0);
  }

  /** A write in progress at a power loss lands partially while on. */
  setTornWrites(isOn: boolean): void {
    this.areWritesTearing = isOn;
    this.trace.record("disk.fault-torn-writes", this.node.name, isOn ? 1 : 0);
  }

  /** Every fault off. */
  clear(): void {
    this.device.slowFactor = 1;
    this.isFull = false;
    this.isFsyncLying = false;
    this.areWritesTearing = false;
    this.trace.record("disk.fault-clear", this.node.name);
  }

  // ------------------------------------------------------- power loss

  /**
   * Empties the device and cuts every file to its durable length (after
   * landing part of an interrupted write when writes tear). Returns the bytes
   * lost over all files, for Disk's totals.
   */
  cutToDurable(files: Iterable<DiskFile>): number {
    const interrupted = this.device.powerLoss();
    if (interrupted !== null && interrupted.kind === "write" && this.areWritesTearing) this.landTornWrite(interrupted);
    let lostBytesTotal = 0;
    for (const file of files) {
      const lostBytes = file.dirtyBytes;
      const isTorn = file.keepDurableOnly();
      lostBytesTotal += lostBytes;
      if (isTorn) this.marks?.hit("disk.torn-record");
      if (lostBytes > 0 || isTorn) this.trace.record("disk.power-loss", file.subject, lostBytes, file.durableBytes, isTorn ? 1 : 0);
      file.checkInvariants();
    }
    return lostBytesTotal;
  }

  /** A write cut by the power loss: whole sectors of it landed, in proportion to its elapsed service time. */
  private landTornWrite(request: DeviceRequest): void {
    const file = request.file!;
    if (file.isRemoved) return;
    const landedBytes = Math.min(landedSectorBytes(request, this.scheduler.now), request.endBytes - request.startBytes);
    if (landedBytes <= 0) return;
    assert(file.durableBytes === request.startBytes, `${file.subject}: torn write starts at ${request.startBytes}, durable ${file.durableBytes}`);
    file.markDurable(request.startBytes + landedBytes);
    this.counters.bytesWrittenToDevice += landedBytes;
    this.counters.tornWrites++;
    this.marks?.hit("disk.torn-write");
    this.trace.record("disk.torn-write", file.subject, request.startBytes, landedBytes, request.bytes);
  }
}
