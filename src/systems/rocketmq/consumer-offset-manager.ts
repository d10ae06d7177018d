/**
 * A broker's consumer offsets (ConsumerOffsetManager): the offset each group
 * has committed on each queue, in memory, and written to
 * config/consumerOffset.json every flushConsumerOffsetInterval (5 s). The
 * write is MixAll.string2File: the new content to a .tmp file, the old one
 * to .bak, then a rename, and no fsync, so a power loss may take the last
 * writes (the OS had not written them back); loading falls back to .bak
 * (ConfigManager.load). What is lost is replayed: consumers start from an
 * older offset and get duplicates.
 *
 * The model keeps each file as one record (the whole JSON): a write
 * truncates the file and appends the new content.
 */
import type { Disk, DiskFile } from "../../world/disk.js";

type OffsetTable = ReadonlyMap<string, number>;

const FILE = "config/consumerOffset.json";
const BAK = "config/consumerOffset.json.bak";
/** JSON bytes per group@topic and queue entry, and the wrapper. */
const ENTRY_BYTES = 30;
const WRAPPER_BYTES = 40;

export function offsetKey(group: string, topic: string, queueId: number): string {
  return `${topic}@${group}\u0000${queueId}`;
}

export class ConsumerOffsetManager {
  private readonly offsets = new Map<string, number>();
  private readonly file: DiskFile<OffsetTable>;
  private readonly bak: DiskFile<OffsetTable>;

  constructor(private readonly disk: Disk) {
    this.file = disk.open<OffsetTable>(FILE);
    this.bak = disk.open<OffsetTable>(BAK);
    const loaded = lastIntact(this.file) ?? lastIntact(this.bak);
    if (loaded !== null) for (const [key, offset] of loaded) this.offsets.set(key, offset);
  }

  /** commitOffset: a consumer's offset for a queue (it only moves where the consumer says, back too). */
  commit(group: string, topic: string, queueId: number, offset: number): void {
    this.offsets.set(offsetKey(group, topic, queueId), offset);
  }

  /** The group's offset on the queue, or -1 when it has none. */
  query(group: string, topic: string, queueId: number): number {
    return this.offsets.get(offsetKey(group, topic, queueId)) ?? -1;
  }

  /** Every offset (for a slave's synchronisation from its master). */
  table(): ReadonlyMap<string, number> {
    return this.offsets;
  }

  /** Replaces the table with the master's (SlaveSynchronize.syncConsumerOffset). */
  replaceWith(table: ReadonlyMap<string, number>): void {
    this.offsets.clear();
    for (const [key, offset] of table) this.offsets.set(key, offset);
  }

  /** persist(): the old content to .bak, the new to the file; nothing fsynced. */
  persist(): void {
    const previous = lastIntact(this.file);
    if (previous !== null) rewrite(this.disk, this.bak, previous);
    rewrite(this.disk, this.file, new Map(this.offsets));
  }
}

function rewrite(disk: Disk, file: DiskFile<OffsetTable>, table: OffsetTable): void {
  disk.truncate(file, 0);
  disk.append(file, table, WRAPPER_BYTES + ENTRY_BYTES * table.size);
}

function lastIntact(file: DiskFile<OffsetTable>): OffsetTable | null {
  const records = file.records;
  for (let k = records.length - 1; k >= 0; k--) if (!records[k]!.torn) return records[k]!.value;
  return null;
}
