/**
 * Reads from one machine's disk: warm data (in the page cache) costs a
 * memory copy; cold data (on the device only: everything after a power loss
 * until read once, and what the page cache evicted) costs a device read
 * first, which warms it.
 *
 * Separate from disk.ts because a read never changes what is dirty, durable
 * or stored: it shares the device and the completion queue with the write
 * side, but none of the totals that tie appends, writeback, fsync and
 * truncation together.
 */
import { assert, assertNonNegativeInteger } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import type { Trace } from "../kernel/trace.js";
import { DiskCompletions, DiskOp, memcpyNs, type DiskCallback } from "./disk-completions.js";
import { DeviceRequest, type DiskDevice } from "./disk-device.js";
import type { DiskFile, DiskRecord } from "./disk-file.js";
import type { PageCache } from "./disk-page-cache.js";
import type { DiskCounters } from "./disk-stats.js";
import type { WorldNode } from "./node.js";

export class DiskReads {
  private readonly node: WorldNode;
  private readonly trace: Trace;
  private readonly marks: Marks | null;
  private readonly device: DiskDevice;
  private readonly completions: DiskCompletions;
  private readonly counters: DiskCounters;
  private readonly pageCache: PageCache;

  constructor(options: { node: WorldNode; trace: Trace; marks: Marks | null; device: DiskDevice; completions: DiskCompletions; counters: DiskCounters; pageCache: PageCache }) {
    this.pageCache = options.pageCache;
    this.node = options.node;
    this.trace = options.trace;
    this.marks = options.marks;
    this.device = options.device;
    this.completions = options.completions;
    this.counters = options.counters;
  }

  /** Disk.read, after its process checks: see there. */
  read<T, A>(
    file: DiskFile<T>,
    fromRecordIndex: number,
    count: number,
    onDone: DiskCallback<readonly DiskRecord<T>[], A>,
    arg: A,
  ): void {
    assert(
      Number.isSafeInteger(fromRecordIndex) && fromRecordIndex >= 0 && fromRecordIndex <= file.recordCount,
      `${file.subject}: read from record ${fromRecordIndex} of ${file.recordCount}`,
    );
    assertNonNegativeInteger(count, "read count");
    const toRecordIndex = Math.min(file.recordCount, fromRecordIndex + count);
    const records = file.recordsIn(fromRecordIndex, toRecordIndex);
    const start = file.recordStartBytes(fromRecordIndex);
    const end = file.recordStartBytes(toRecordIndex);
    const op = new DiskOp(onDone as DiskCallback<unknown, unknown>, arg, records, this.node.incarnation, file as DiskFile, end - start);
    const coldBytes = file.cold.coldBytesIn(start, end);
    if (coldBytes === 0) {
      this.counters.cacheReads++;
      this.completions.deliver(op, memcpyNs(end - start));
      return;
    }
    this.counters.deviceReadRequests++;
    this.marks?.hit("disk.cold-read");
    this.trace.record("disk.read-device", file.subject, start, end, coldBytes);
    // One request for the cold bytes of the range: a simplification of
    // reading each cold run separately.
    const request = new DeviceRequest("read", file as DiskFile, start, end, coldBytes, this.device.nextSeq(), false);
    request.waiters.push(op);
    this.device.submit(request);
  }

  /** The device finished a read: the range is warm, and each waiter gets its records after a copy. */
  complete(request: DeviceRequest): void {
    const file = request.file!;
    this.counters.bytesReadFromDevice += request.bytes;
    if (!file.isRemoved) {
      const end = Math.min(request.endBytes, file.cachedBytes);
      const wasCold = file.cold.coldBytesIn(request.startBytes, end);
      file.cold.warm(request.startBytes, end);
      this.pageCache.addRead(file, request.startBytes, end, wasCold);
    }
    for (const op of request.waiters) this.completions.deliver(op, memcpyNs(op.targetBytes));
  }
}
