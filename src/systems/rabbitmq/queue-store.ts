/**
 * The on-disk part of one classic queue replica: persistent messages of a
 * durable queue go to the message store and the queue index (one file here),
 * and deliveries that are settled are recorded as removals. A publisher
 * confirm for a persistent message waits for the fsync that covers it
 * (https://www.rabbitmq.com/docs/confirms#publisher-confirms-latency): at
 * most one fsync is in flight, and everything appended meanwhile shares the
 * next one (group commit). Removals are not synced on their own: after a
 * power loss some settled messages can come back (redelivered), never the
 * other way round.
 */
import type { Disk, DiskFile } from "../../world/disk.js";
import { QueueContent } from "./queue-content.js";
import type { QueueSegment } from "./queue-segment.js";

export type StoreRecord = { op: "pub"; segment: QueueSegment } | { op: "del"; seq: number; count: number };

const RECORD_HEADER_BYTES = 40;

export interface StoreListener {
  /** Everything appended up to `recordCount` records is durable. */
  onDurable(recordCount: number): void;
}

export class QueueStore {
  private readonly file: DiskFile<StoreRecord>;
  private isSyncing = false;
  private syncTargetRecords = 0;
  private durableRecords = 0;
  private readonly onSyncedBound = (_result: unknown, target: number): void => this.onSynced(target);

  constructor(
    private readonly disk: Disk,
    path: string,
    public listener: StoreListener,
  ) {
    this.file = disk.open<StoreRecord>(path);
    this.durableRecords = this.file.recordCount;
    this.syncTargetRecords = this.durableRecords;
  }

  get recordCount(): number {
    return this.file.recordCount;
  }

  /** Appends; returns false when the disk is full (the publish is refused). */
  append(record: StoreRecord): boolean {
    const bytes = record.op === "pub" ? RECORD_HEADER_BYTES + record.segment.count * (record.segment.bytesEach + 16) : RECORD_HEADER_BYTES;
    return this.disk.append(this.file, record, bytes) === "ok";
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
    return { content, seqNext };
  }

  /** Forgets everything (a mirror restarting throws its old contents away). */
  reset(): void {
    this.disk.truncate(this.file, 0);
    this.durableRecords = 0;
  }

  private onSynced(target: number): void {
    this.isSyncing = false;
    this.durableRecords = Math.max(this.durableRecords, target);
    this.listener.onDurable(this.durableRecords);
    this.requestSync();
  }
}
