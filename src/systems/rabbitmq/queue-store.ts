/**
 * The on-disk part of one classic queue replica: persistent messages of a
 * durable queue go to the message store and the queue index (one file here),
 * and deliveries that are settled are recorded as removals. Whether a
 * publisher confirm for a persistent message waits for the fsync that
 * covers it (https://www.rabbitmq.com/docs/confirms#publisher-confirms-latency)
 * or only for the write depends on the release and the queue's storage
 * version (classic-persistence.ts). Fsyncs: at most one in flight, and
 * everything appended meanwhile shares the next one (group commit).
 * Removals are not synced on their own: after a power loss some settled
 * messages can come back (redelivered), never the other way round.
 *
 * Writes are write(2) calls by the queue's process: when dirty page-cache
 * data is over the limit the call blocks in balance_dirty_pages until
 * writeback has drained it, the process is stuck there (isBlocked), and
 * nothing it appended counts as written (writtenRecords) until it returns.
 */
import type { Disk, DiskFile } from "../../world/disk.js";
import { QueueContent } from "./queue-content.js";
import type { QueueSegment } from "./queue-segment.js";

/** Does a persistent message of this size need an fsync before its confirm? (classic-persistence.ts) */
export type FsyncPolicy = (messageBytes: number) => boolean;

export type StoreRecord = { op: "pub"; segment: QueueSegment } | { op: "del"; seq: number; count: number };

const RECORD_HEADER_BYTES = 40;

export interface StoreListener {
  /** Everything appended up to `recordCount` records is durable. */
  onDurable(recordCount: number): void;
  /** A blocked write returned: records up to `recordCount` are written (isBlocked may now be false). */
  onWritten(recordCount: number): void;
}

export class QueueStore {
  private readonly file: DiskFile<StoreRecord>;
  private isSyncing = false;
  private syncTargetRecords = 0;
  private durableRecords = 0;
  /** Writes still blocked at the dirty limit, and the records whose write has returned. */
  private blockedWrites = 0;
  private writtenRecordsNow = 0;
  private readonly onWriteReturnedBound = (_result: unknown, target: number): void => this.onWriteReturned(target);
  private readonly onSyncedBound = (_result: unknown, target: number): void => this.onSynced(target);

  constructor(
    private readonly disk: Disk,
    path: string,
    public listener: StoreListener,
    private readonly isFsyncedBeforeConfirm: FsyncPolicy,
  ) {
    this.file = disk.open<StoreRecord>(path);
    this.durableRecords = this.file.recordCount;
    this.syncTargetRecords = this.durableRecords;
    this.writtenRecordsNow = this.durableRecords;
  }

  get recordCount(): number {
    return this.file.recordCount;
  }

  /** Records whose write has returned to the process. */
  get writtenRecords(): number {
    return this.writtenRecordsNow;
  }

  /** A write of this store is blocked at the dirty limit. */
  get isBlocked(): boolean {
    return this.blockedWrites > 0;
  }

  /** Appends; returns false when the disk is full (the publish is refused). */
  append(record: StoreRecord): boolean {
    const bytes = record.op === "pub" ? RECORD_HEADER_BYTES + record.segment.count * (record.segment.bytesEach + 16) : RECORD_HEADER_BYTES;
    const result = this.disk.write(this.file, record, bytes, this.onWriteReturnedBound, this.file.recordCount + 1);
    if (result === "disk-full") return false;
    if (result === "throttled") this.blockedWrites++;
    else if (this.blockedWrites === 0) this.writtenRecordsNow = this.file.recordCount;
    return true;
  }

  /**
   * Appends a persistent publish. Returns the record count that must be
   * durable before its confirm (0: the write is enough, no fsync is asked
   * for), or -1 when the disk is full (the publish is refused).
   */
  appendPublish(segment: QueueSegment): number {
    if (!this.append({ op: "pub", segment })) return -1;
    if (!this.isFsyncedBeforeConfirm(segment.bytesEach)) return 0;
    this.requestSync();
    return this.file.recordCount;
  }

  /** Asks for everything appended so far to become durable; the listener hears when. */
  requestSync(): void {
    if (this.isSyncing) return;
    if (this.file.recordCount <= this.durableRecords) return;
    this.isSyncing = true;
    this.syncTargetRecords = this.file.recordCount;
    this.disk.fsync(this.file, this.onSyncedBound, this.syncTargetRecords);
  }

  /** Recovery: the queue content the file describes (durable records after a power loss; torn ones dropped). */
  recover(): { content: QueueContent; seqNext: number } {
    const records = this.file.records;
    let keep = records.length;
    for (let i = 0; i < records.length; i++) {
      if (records[i]!.torn) {
        keep = i;
        break;
      }
    }
    if (keep < records.length) this.disk.truncate(this.file, keep);
    const content = new QueueContent();
    let seqNext = 0;
    for (let i = 0; i < keep; i++) {
      const record = records[i]!.value;
      if (record.op === "pub") {
        content.push({ ...record.segment, redelivered: false });
        seqNext = Math.max(seqNext, record.segment.seq + record.segment.count);
      } else {
        content.removeSeqs(record.seq, record.count);
      }
    }
    this.durableRecords = this.file.recordCount;
    this.writtenRecordsNow = this.durableRecords;
    return { content, seqNext };
  }

  /** Forgets everything (a mirror restarting throws its old contents away). */
  reset(): void {
    this.disk.truncate(this.file, 0);
    this.durableRecords = 0;
    this.writtenRecordsNow = 0;
  }

  private onWriteReturned(target: number): void {
    this.blockedWrites--;
    this.writtenRecordsNow = this.blockedWrites === 0 ? this.file.recordCount : Math.max(this.writtenRecordsNow, Math.min(target, this.file.recordCount));
    this.listener.onWritten(this.writtenRecordsNow);
  }

  private onSynced(target: number): void {
    this.isSyncing = false;
    this.durableRecords = Math.max(this.durableRecords, target);
    this.listener.onDurable(this.durableRecords);
    this.requestSync();
  }
}
