/**
 * One node's copy of the cluster's queue records (Mnesia's rabbit_queue
 * table, disc_copies): in memory, and on the node's disk, where each record
 * is appended and fsynced as it changes. A node that comes back from a
 * power loss must know the newest master it had heard of, or two power
 * losses in a row could restart a mirrored queue from a node that never saw
 * the last confirmed messages. Nothing waits for the fsync; it is queued on
 * the node's disk behind the writes before it.
 */
import type { Disk, DiskFile } from "../../world/disk.js";
import { copyRecord, isNewerRecord, type QueueRecord } from "./queue-record.js";

export class QueueRecordTable {
  private records = new Map<string, QueueRecord>();
  private file: DiskFile<QueueRecord> | null = null;

  get(queue: string): QueueRecord | undefined {
    return this.records.get(queue);
  }

  all(): QueueRecord[] {
    return [...this.records.values()];
  }

  /** The plan's records, then the newest of each this disk kept (a torn record ends what is read). */
  load(disk: Disk, initial: readonly QueueRecord[]): void {
    this.records = new Map();
    for (const record of initial) this.records.set(record.name, record);
    this.file = disk.open<QueueRecord>("rabbitmq/mnesia/rabbit_queue");
    for (const stored of this.file.records) {
      if (stored.torn) break;
      const mine = this.records.get(stored.value.name);
      if (mine === undefined || isNewerRecord(stored.value, mine) || stored.value.epoch === mine.epoch) this.records.set(stored.value.name, copyRecord(stored.value));
    }
  }

  /** Keeps the record in memory (the caller writes it to disk with `write` once its effects are done). */
  keep(record: QueueRecord): void {
    this.records.set(record.name, copyRecord(record));
  }

  write(disk: Disk, record: QueueRecord): void {
    if (this.file === null) return;
    disk.append(this.file, copyRecord(record), 200);
    disk.fsync(this.file, ignoreFsyncResult, null);
  }
}

function ignoreFsyncResult(): void {}
