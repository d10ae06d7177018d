/**
 * The disk of one machine: files of records, a page cache in front of one
 * device, background writeback, fsync, and what a crash leaves behind.
 *
 * - append() puts the record in the page cache at once (visible to reads and
 *   in file.records) and marks it dirty; it completes after a memory copy,
 *   unless dirty data is over dirtyLimitBytes, in which case the completion
 *   waits until writeback drains below it (write throttling).
 * - Writeback (disk-writeback.ts) writes dirty data file by file, in
 *   chunks, once expired or when there is too much of it.
 * - fsync(file) submits the file's dirty data and a flush; it completes when
 *   everything written before the call is durable.
 * - durableBytes advances only when the device completes a write. A process
 *   crash loses nothing (the page cache belongs to the OS); a power loss cuts
 *   every file to its durable length and leaves the cache cold.
 *
 * Work splits as on a real machine: the device and writeback are machine work
 * (node.afterOnMachine), so they outlive a process crash; completions handed to
 * the caller are process work (node.after), so a crashed process never sees
 * one and a paused process sees them after it resumes.
 *
 * - The page cache holds at most pageCacheBytes: beyond that, clean data
 *   is evicted oldest first (disk-page-cache.ts) and a later read of it goes
 *   to the device.
 *
 * Simplifications: a write is durable when the device completes it (its volatile cache
 * is folded into fsyncLatencyNs, the cost of the flush); metadata (create,
 * truncate, remove) is durable at once; writes reserve no space beyond the
 * record bytes.
 *
 * The options and their defaults are disk-options.ts; the faults and what a
 * power loss leaves of each file are disk-faults.ts; reads are disk-reads.ts;
 * how an fsync is served (group commit) is disk-fsync.ts.
 */
import { assert, unreachable } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import { TraceName, type Trace } from "../kernel/trace.js";
import { DeviceRequest, DiskDevice, type DeviceListener } from "./disk-device.js";
import { DiskFaults } from "./disk-faults.js";
import { DiskFsyncs } from "./disk-fsync.js";
import { DiskReads } from "./disk-reads.js";
import { PageCache } from "./disk-page-cache.js";
import { DiskFile, type DiskRecord } from "./disk-file.js";
import { DiskCompletions, DiskOp, memcpyNs, type DiskCallback } from "./disk-completions.js";
import { resolveWritebackThresholds, type DiskOptions } from "./disk-options.js";
import { assertDiskProfile, type DiskProfile } from "./disk-profile.js";
import { newDiskCounters, type DiskCounters, type DiskStats } from "./disk-stats.js";
import { Writeback, writebackChunkBytes } from "./disk-writeback.js";
import type { WorldNode } from "./node.js";

export { DiskFile, type DiskRecord } from "./disk-file.js";
export { memcpyNs, type DiskCallback } from "./disk-completions.js";
export { SECTOR_BYTES } from "./disk-device.js";
export {
  DIRTY_BACKGROUND_DEFAULT_BYTES,
  DIRTY_EXPIRE_DEFAULT_NS,
  DIRTY_LIMIT_DEFAULT_BYTES,
  WRITEBACK_MERGE_DEFAULT_BYTES_MAX,
  type DiskOptions,
} from "./disk-options.js";
export type { DiskStats } from "./disk-stats.js";

// Kinds recorded for every append and device write, fingerprinted once (see TraceName).
const DISK_APPEND = new TraceName("disk.append");
const DISK_DURABLE = new TraceName("disk.durable");
const DISK_WRITEBACK = new TraceName("disk.writeback");
const DISK_FSYNC_WRITE = new TraceName("disk.fsync-write");

/** "disk-full" is a modelled failure: the record was not stored. */
export type AppendResult = "ok" | "disk-full";
export type FsyncResult = "ok";

export class Disk implements DeviceListener {
  readonly profile: DiskProfile;
  readonly dirtyLimitBytes: number;
  private readonly node: WorldNode;
  private readonly trace: Trace;
  private readonly marks: Marks | null;
  private readonly device: DiskDevice;
  private readonly files = new Map<string, DiskFile>();
  private readonly writeback: Writeback;
  /** Σ over files of (cachedBytes - durableBytes): dirty plus under writeback. */
  private dirtyBytesTotal = 0;
  private usedBytesTotal = 0;
  private readonly completions: DiskCompletions;
  /** The fault switches (slow, full, lying fsync, torn writes), set by World's fault verbs. */
  readonly faults: DiskFaults;
  private readonly reads: DiskReads;
  private readonly fsyncs: DiskFsyncs;
  private readonly pageCache: PageCache;
  private readonly counters: DiskCounters = newDiskCounters();

  constructor(options: DiskOptions) {
    assertDiskProfile(options.profile);
    this.profile = options.profile;
    this.node = options.node;
    this.trace = options.trace;
    this.marks = options.marks ?? null;
    const { expireNs, backgroundBytes, dirtyLimitBytes, mergeBytesMax, pageCacheBytes } = resolveWritebackThresholds(options);
    this.pageCache = new PageCache(pageCacheBytes, this.marks);
    this.dirtyLimitBytes = dirtyLimitBytes;
    this.completions = new DiskCompletions(this.node);
    this.device = new DiskDevice({ node: this.node, profile: this.profile, listener: this });
    this.writeback = new Writeback({
      node: this.node,
      scheduler: options.scheduler,
      expireNs,
      backgroundBytes,
      mergeBytesMax,
      chunkBytes: writebackChunkBytes(this.profile.writeBandwidthBytesPerSec, dirtyLimitBytes),
      dirtyBytes: () => this.dirtyBytesTotal,
      submitWrite: (file, start, end) => this.submitWrite(file, start, end, true),
    });
    this.faults = new DiskFaults({ node: this.node, scheduler: options.scheduler, trace: this.trace, marks: this.marks, device: this.device, counters: this.counters });
    const submitWrite = (file: DiskFile, start: number, end: number, isWriteback: boolean, aheadOf?: DeviceRequest | null): DeviceRequest => this.submitWrite(file, start, end, isWriteback, aheadOf ?? null);
    this.fsyncs = new DiskFsyncs({ trace: this.trace, marks: this.marks, device: this.device, completions: this.completions, counters: this.counters, faults: this.faults, profile: this.profile, submitWrite });
    this.reads = new DiskReads({ node: this.node, trace: this.trace, marks: this.marks, device: this.device, completions: this.completions, counters: this.counters, pageCache: this.pageCache });
  }

  // ------------------------------------------------------------- namespace

  /** The file at path, created empty if absent. The same object survives crashes and power losses. */
  open<T = unknown>(path: string): DiskFile<T> {
    const existing = this.files.get(path);
    if (existing !== undefined) return existing as DiskFile<T>;
    assert(path.length > 0, "disk path must not be empty");
    assert(this.node.isMachineUp, `${this.node.name}: create ${path} while powered off`);
    const file = new DiskFile({ path, subject: `${this.node.name}:${path}`, owner: this });
    this.files.set(path, file);
    this.trace.record("disk.create", file.subject);
    return file as DiskFile<T>;
  }

  exists(path: string): boolean {
    return this.files.has(path);
  }

  /** Every path, sorted by code unit (never locale order). */
  list(): string[] {
    return [...this.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Deletes the file (durable at once). Returns false if there was none. */
  remove(path: string): boolean {
    const file = this.files.get(path);
    if (file === undefined) return false;
    this.assertProcess("remove", file);
    this.usedBytesTotal -= file.cachedBytes;
    this.dirtyBytesTotal -= file.dirtyBytes;
    this.pageCache.drop(file.cachedBytes - file.cold.bytes);
    this.trace.record("disk.remove", file.subject, file.cachedBytes, file.durableBytes);
    file.markRemoved();
    this.files.delete(path);
    // Its queued extents and device requests go stale and are skipped or ignored.
    this.releaseThrottled();
    return true;
  }

  // ------------------------------------------------------------ operations

  /**
   * Appends a record of `bytes` to the file's page cache. Returns "disk-full"
   * (and stores nothing) when it does not fit or the fullDisk fault is on;
   * onDone is then not called. Otherwise onDone("ok", arg) runs as process
   * work after the memory copy, or once writeback has drained dirty data
   * below dirtyLimitBytes if this write is throttled. A caller that models a
   * blocking write() waits for onDone before its next write.
   */
  append<T, A>(file: DiskFile<T>, value: T, bytes: number, onDone?: DiskCallback<AppendResult, A>, arg?: A): AppendResult {
    const outcome = this.store(file, value, bytes);
    if (outcome === "disk-full") return outcome;
    if (onDone !== undefined) {
      const op = new DiskOp(onDone as DiskCallback<unknown, unknown>, arg, "ok", this.node.incarnation, file as DiskFile, bytes);
      if (outcome === "throttled") this.completions.hold(op);
      else this.completions.deliver(op, memcpyNs(bytes));
    }
    return "ok";
  }

  /**
   * write(2) as a thread that blocks on it sees it: the record goes to the
   * page cache as with append(). Returns "ok" when the call returns at once
   * (its memory copy is the caller's own CPU time, no event), or "throttled"
   * when dirty data is over dirtyLimitBytes: the caller is blocked in
   * balance_dirty_pages and onReturn("ok", arg) runs as process work once
   * writeback has drained dirty data below the limit. "disk-full" as append().
   */
  write<T, A>(file: DiskFile<T>, value: T, bytes: number, onReturn: DiskCallback<AppendResult, A>, arg: A): AppendResult | "throttled" {
    const outcome = this.store(file, value, bytes);
    if (outcome === "throttled") {
      this.completions.hold(new DiskOp(onReturn as DiskCallback<unknown, unknown>, arg, "ok", this.node.incarnation, file as DiskFile, bytes));
    }
    return outcome;
  }

  /** Puts the record in the page cache; "throttled" when dirty data is now over the limit. */
  private store<T>(file: DiskFile<T>, value: T, bytes: number): AppendResult | "throttled" {
    this.assertProcess("append", file);
    if (!(Number.isSafeInteger(bytes) && bytes > 0)) assert(false, `${file.subject}: append of ${bytes} bytes`);
    if (this.faults.isFull || this.usedBytesTotal + bytes > this.profile.capacityBytes) {
      this.counters.fullRejections++;
      this.marks?.hit("disk.full");
      this.trace.record("disk.full", file.subject, bytes, this.usedBytesTotal);
      return "disk-full";
    }
    const start = file.cachedBytes;
    const index = file.pushRecord(value, bytes);
    this.usedBytesTotal += bytes;
    this.dirtyBytesTotal += bytes;
    this.pageCache.addDirty(bytes);
    this.counters.appends++;
    this.counters.bytesAppended += bytes;
    this.trace.recordNamed(DISK_APPEND, file.subjectName, bytes, index, start + bytes);
    this.writeback.noteDirty(file as DiskFile, start);
    if (this.dirtyBytesTotal <= this.dirtyLimitBytes) return "ok";
    this.counters.throttledWrites++;
    this.marks?.hit("disk.throttled");
    return "throttled";
  }

  /**
   * Makes everything written to the file before this call durable, then
   * calls onDone("ok", arg) as process work. The file's dirty data goes to
   * the device as one write (after any of its writeback already queued),
   * followed by a flush. An fsync whose data all precedes a flush that has
   * not started yet shares that flush (group commit).
   */
  fsync<A>(file: DiskFile, onDone: DiskCallback<FsyncResult, A>, arg: A): void {
    this.assertProcess("fsync", file);
    this.counters.fsyncCalls++;
    const targetBytes = file.cachedBytes;
    this.trace.record("disk.fsync", file.subject, targetBytes, file.durableBytes);
    this.fsyncs.serve(new DiskOp(onDone as DiskCallback<unknown, unknown>, arg, "ok", this.node.incarnation, file, targetBytes));
  }

  /**
   * Reads up to `count` records from fromRecordIndex and calls
   * onDone(records, arg) as process work. Warm data costs a memory copy; cold
   * data (on the device, not in the page cache: everything after a power
   * loss until read once) costs a device read first. The records are those
   * present when read() was called.
   */
  read<T, A>(
    file: DiskFile<T>,
    fromRecordIndex: number,
    count: number,
    onDone: DiskCallback<readonly DiskRecord<T>[], A>,
    arg: A,
  ): void {
    this.assertProcess("read", file);
    this.reads.read(file, fromRecordIndex, count, onDone, arg);
  }

  /**
   * Keeps the first recordCount records and drops the rest (Kafka truncating
   * its log on a leader change, or recovery dropping a torn tail). A metadata
   * operation, durable at once for simplicity: no device time, and a power
   * loss right after cannot bring the dropped records back.
   */
  truncate(file: DiskFile, recordCount: number): void {
    this.assertProcess("truncate", file);
    const cachedBefore = file.cachedBytes;
    const dirtyBefore = file.dirtyBytes;
    const cutFrom = file.recordStartBytes(recordCount);
    this.pageCache.drop(cachedBefore - cutFrom - file.cold.coldBytesIn(cutFrom, cachedBefore));
    file.truncateRecords(recordCount);
    const lengthBytes = file.cachedBytes;
    this.usedBytesTotal -= cachedBefore - lengthBytes;
    this.dirtyBytesTotal += file.dirtyBytes - dirtyBefore;
    this.device.clampFile(file, lengthBytes);
    this.trace.record("disk.truncate", file.subject, recordCount, lengthBytes, file.durableBytes);
    file.checkInvariants();
    this.releaseThrottled();
  }

  // ------------------------------------------------------ crashes (by World)

  /** The process died (kill -9): the page cache and writeback live on; its pending completions die with it. */
  processCrash(): void {
    assert(this.node.state === "crashed" && this.node.isMachineUp, `${this.node.name}: disk process crash while ${this.node.state}`);
    this.completions.dropHeld();
    this.trace.record("disk.process-crash", this.node.name, this.dirtyBytesTotal, this.device.queuedCount);
  }

  /**
   * The machine lost power (the node has already cancelled its machine
   * work). Every file is cut to its durable length; the page cache, the
   * device queue and every pending request are gone, and what remains is
   * cold. A device write in progress is lost whole, or with the tornWrites
   * fault lands in part: whole sectors in proportion to its elapsed service
   * time, leaving a torn record for recovery to detect.
   */
  powerLoss(): void {
    assert(!this.node.isMachineUp, `${this.node.name}: disk power loss while the machine is up`);
    const lostBytesTotal = this.faults.cutToDurable(this.files.values());
    this.usedBytesTotal -= lostBytesTotal;
    this.writeback.powerLoss();
    this.pageCache.clear();
    this.dirtyBytesTotal = 0;
    this.completions.dropHeld();
    this.counters.powerLosses++;
    this.counters.bytesLostAtPowerLoss += lostBytesTotal;
    if (lostBytesTotal > 0) this.marks?.hit("disk.power-loss-lost-data");
    this.trace.record("disk.power-loss", this.node.name, lostBytesTotal, this.files.size);
  }

  /**
   * The machine is replaced while it is down (World.machineLoss): every file
   * is gone, as on a new disk. Its counters go on (the node's history).
   */
  replace(): void {
    assert(!this.node.isMachineUp, `${this.node.name}: disk replaced while the machine is up`);
    for (const file of this.files.values()) file.markRemoved();
    this.trace.record("disk.replace", this.node.name, this.files.size, this.usedBytesTotal);
    this.files.clear();
    this.usedBytesTotal = 0;
    this.dirtyBytesTotal = 0;
    this.pageCache.clear();
  }

  // ----------------------------------------------------------- inspection

  stats(): DiskStats {
    return {
      ...this.counters,
      switches: this.device.switches,
      completionsDropped: this.completions.droppedCount,
      busyNs: this.device.busyNs,
      writebackVisits: this.writeback.visits,
      pageCacheEvictedBytes: this.pageCache.evictedBytes,
    };
  }

  /** Free bytes as `df` reports them: capacity less what is stored; none while the fullDisk fault is on. */
  get freeBytes(): number {
    return this.faults.isFull ? 0 : Math.max(0, this.profile.capacityBytes - this.usedBytesTotal);
  }

  /** Bytes stored (page cache view), counted against capacityBytes. */
  get usedBytes(): number {
    return this.usedBytesTotal;
  }

  /** Bytes in the page cache now (dirty, clean and read in). */
  get residentBytes(): number {
    return this.pageCache.residentBytes;
  }

  /** Bytes a power loss would take now, over all files. */
  get dirtyBytes(): number {
    return this.dirtyBytesTotal;
  }

  /** Full consistency check, O(records): for tests and debug sweeps. */
  checkInvariants(): void {
    let used = 0;
    let dirty = 0;
    let resident = 0;
    for (const file of this.files.values()) {
      file.checkInvariants(true);
      used += file.cachedBytes;
      dirty += file.dirtyBytes;
      resident += file.cachedBytes - file.cold.bytes;
    }
    assert(resident === this.pageCache.residentBytes, `${this.node.name}: resident ${this.pageCache.residentBytes}, files say ${resident}`);
    assert(used === this.usedBytesTotal, `${this.node.name}: used ${this.usedBytesTotal}, files say ${used}`);
    assert(dirty === this.dirtyBytesTotal, `${this.node.name}: dirty ${this.dirtyBytesTotal}, files say ${dirty}`);
    assert(used <= this.profile.capacityBytes, `${this.node.name}: used ${used} over capacity`);
    assert(
      this.completions.heldCount === 0 || this.dirtyBytesTotal > this.dirtyLimitBytes,
      `${this.node.name}: writes throttled with dirty ${this.dirtyBytesTotal} under the limit`,
    );
  }

  // --------------------------------------------------------------- device

  onDeviceDone(request: DeviceRequest): void {
    switch (request.kind) {
      case "write":
        this.completeWrite(request);
        return;
      case "flush":
        this.completeFlush(request);
        return;
      case "read":
        this.reads.complete(request);
        return;
      default:
        unreachable(request.kind, "device request kind");
    }
  }

  private completeWrite(request: DeviceRequest): void {
    const file = request.file!;
    this.counters.deviceWriteRequests++;
    this.counters.bytesWrittenToDevice += request.bytes;
    if (!file.isRemoved) {
      // The device is FIFO and each file's writes are contiguous, so a
      // completing write always starts where the durable prefix ends.
      if (file.durableBytes !== request.startBytes) {
        assert(false, `${file.subject}: write [${request.startBytes}, ${request.endBytes}) completes at durable ${file.durableBytes}`);
      }
      this.dirtyBytesTotal -= request.endBytes - request.startBytes;
      file.markDurable(request.endBytes);
      file.checkInvariants();
      this.pageCache.addClean(file, request.startBytes, request.endBytes);
      this.trace.recordNamed(DISK_DURABLE, file.subjectName, file.durableBytes, file.durableRecordCount, request.isWriteback ? 1 : 0);
    }
    this.writeback.onWriteDone(request);
    this.releaseThrottled();
  }

  private completeFlush(request: DeviceRequest): void {
    this.counters.deviceFlushes++;
    this.trace.record("disk.flush", this.node.name, request.waiters.length);
    for (const op of request.waiters) {
      const file = op.file;
      if (!file.isRemoved) {
        assert(file.durableBytes >= op.targetBytes, `${file.subject}: fsync done with durable ${file.durableBytes} < ${op.targetBytes}`);
      }
      this.trace.record("disk.fsync-done", file.subject, op.targetBytes, file.durableBytes);
      this.completions.deliver(op, 0);
    }
  }

  private submitWrite(file: DiskFile, start: number, end: number, isWriteback: boolean, aheadOf: DeviceRequest | null = null): DeviceRequest {
    if (!(start === file.submittedBytes && end > start)) assert(false, `${file.subject}: write [${start}, ${end}) at submitted ${file.submittedBytes}`);
    const request = new DeviceRequest("write", file, start, end, end - start, this.device.nextSeq(), isWriteback);
    file.submittedBytes = end;
    file.lastWriteSeq = request.seq;
    this.trace.recordNamed(isWriteback ? DISK_WRITEBACK : DISK_FSYNC_WRITE, file.subjectName, start, end);
    if (aheadOf === null) this.device.submit(request);
    else this.device.submitBefore(request, aheadOf);
    return request;
  }

  private releaseThrottled(): void {
    if (this.dirtyBytesTotal <= this.dirtyLimitBytes) this.completions.releaseHeld();
  }

  // -------------------------------------------------------------- helpers

  private assertProcess(what: string, file: DiskFile): void {
    if (file.owner !== this) assert(false, `${what} of ${file.subject} on another node's disk ${this.node.name}`);
    if (file.isRemoved) assert(false, `${what} of removed file ${file.subject}`);
    if (!this.node.isProcessAlive) assert(false, `${what} of ${file.subject} while the process is down`);
  }
}
