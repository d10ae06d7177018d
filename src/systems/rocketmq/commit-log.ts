/**
 * A broker's CommitLog: every message of every topic, appended in arrival
 * order to one log of mapped files (mappedFileSizeCommitLog, 1 GiB each),
 * addressed by physical offset (bytes since the log began). This is what
 * sets RocketMQ apart from Kafka on one disk: however many topics and queues
 * there are, the writes go to one file at a time, sequentially; the per-queue
 * ConsumeQueues (consume-queue.ts) hold only 20-byte pointers into it.
 *
 * One disk record here is one put (a message, or a batch sent in one
 * request, whose messages are contiguous), of the bytes CommitLog.calMsgLength
 * gives for each message (store/src/main/java/org/apache/rocketmq/store/
 * CommitLog.java). A put that does not fit in the current file's remaining
 * space rolls to the next file, whose first physical offset is the next
 * multiple of the file size (the real log writes a BLANK_MAGIC_CODE marker
 * over the rest and leaves it; the model writes nothing there).
 *
 * Recovery after a restart (CommitLog.recoverNormally/recoverAbnormally)
 * keeps the records whose physical offsets follow on from each other and
 * whose checks pass (a torn record fails its CRC): the first that does not
 * ends the log, and everything after it is truncated, the later files
 * deleted.
 */
import { assert } from "../../kernel/index.js";
import type { Disk, DiskFile } from "../../world/disk.js";

/** One put as the commit log holds it. */
export interface CommitLogRecord {
  readonly topic: string;
  readonly queueId: number;
  /** The first message's offset in its consume queue. */
  readonly queueOffset: number;
  /** Messages in the put (1 unless the producer sent a batch). */
  readonly count: number;
  /** The history's id of the first message (ids are consecutive). */
  readonly idFirst: number;
  /** Body bytes of each message. */
  readonly bodyBytes: number;
  /** Where the put starts in the log. */
  readonly physicalOffset: number;
  /** Bytes the put takes in the log (count × stored message size). */
  readonly sizeBytes: number;
  /** When the broker stored it (storeTimestamp). */
  readonly storeNs: number;
}

/**
 * Bytes of one stored message beside its body and topic (calMsgLength):
 * totalSize 4, magic 4, bodyCRC 4, queueId 4, flag 4, queueOffset 8,
 * physicalOffset 8, sysFlag 4, bornTimestamp 8, bornHost 8, storeTimestamp
 * 8, storeHost 8, reconsumeTimes 4, preparedTransactionOffset 8, bodyLength
 * 4, topicLength 1, propertiesLength 2.
 */
export const MESSAGE_FIXED_BYTES = 91;
/**
 * A message's properties as a producer sets them: UNIQ_KEY (32 hex digits,
 * MessageClientIDSetter) and WAIT=true, each as name\u0001value\u0002.
 */
export const MESSAGE_PROPERTIES_BYTES = 52;

/** Bytes one message of `bodyBytes` on `topic` takes in the commit log. */
export function storedMessageBytes(topic: string, bodyBytes: number): number {
  return MESSAGE_FIXED_BYTES + bodyBytes + topic.length + MESSAGE_PROPERTIES_BYTES;
}

/** A new put: everything but where it lands, which the log decides. */
export type CommitLogPut = Omit<CommitLogRecord, "physicalOffset" | "sizeBytes">;

export class CommitLog {
  private readonly files: DiskFile<CommitLogRecord>[] = [];
  /** Every intact put, in log order (rebuilt from the disk on recovery). */
  private recordsList: CommitLogRecord[] = [];
  private maxOffsetNow = 0;
  private isLastAppendThrottledNow = false;

  constructor(
    private readonly disk: Disk,
    private readonly mappedFileSizeBytes: number,
  ) {
    assert(Number.isSafeInteger(mappedFileSizeBytes) && mappedFileSizeBytes > 0, `mapped file size ${mappedFileSizeBytes}`);
    this.recover();
  }

  /** The physical offset the next put starts at (getMaxOffset): everything below it is in the log. */
  get maxOffset(): number {
    return this.maxOffsetNow;
  }

  get minOffset(): number {
    return this.recordsList.length === 0 ? this.maxOffsetNow : this.recordsList[0]!.physicalOffset;
  }

  get records(): readonly CommitLogRecord[] {
    return this.recordsList;
  }

  /** The mapped files, oldest first, for the flush services. */
  get mappedFiles(): readonly DiskFile<CommitLogRecord>[] {
    return this.files;
  }

  /**
   * Appends a put of `count` messages; "disk-full" stores nothing. The put
   * is a memory copy into the mapped file: when dirty page-cache data is over
   * the limit, the copy's page faults hold the writing thread in
   * balance_dirty_pages (Linux throttles writers through mmap as through
   * write(2)). isLastAppendThrottled then says so, and onReturn(arg) runs
   * once writeback has brought dirty data back under the limit.
   */
  append<A>(put: CommitLogPut, onReturn: (result: unknown, arg: A) => void, arg: A): CommitLogRecord | "disk-full" {
    assert(put.count > 0 && put.bodyBytes > 0, `put of ${put.count} messages of ${put.bodyBytes} bytes`);
    const sizeBytes = put.count * storedMessageBytes(put.topic, put.bodyBytes);
    assert(sizeBytes <= this.mappedFileSizeBytes, `a put of ${sizeBytes} bytes exceeds a mapped file`);
    const file = this.fileFor(sizeBytes);
    const record: CommitLogRecord = { ...put, physicalOffset: (this.files.length - 1) * this.mappedFileSizeBytes + file.cachedBytes, sizeBytes };
    const result = this.disk.write(file, record, sizeBytes, onReturn, arg);
    if (result === "disk-full") return result;
    this.isLastAppendThrottledNow = result === "throttled";
    this.recordsList.push(record);
    this.maxOffsetNow = record.physicalOffset + sizeBytes;
    return record;
  }

  /** Whether the last append's thread is held at the dirty limit (its onReturn is still to come). */
  get isLastAppendThrottled(): boolean {
    return this.isLastAppendThrottledNow;
  }

  /** Appends a record exactly as a master stored it (a slave's HA copy keeps the master's physical offsets). */
  appendCopy(record: CommitLogRecord): "ok" | "disk-full" {
    assert(record.physicalOffset >= this.maxOffsetNow, `copy at ${record.physicalOffset} behind the log's end ${this.maxOffsetNow}`);
    const fileIndex = Math.floor(record.physicalOffset / this.mappedFileSizeBytes);
    while (this.files.length <= fileIndex) this.openFile(this.files.length);
    const file = this.files[fileIndex]!;
    assert(fileIndex * this.mappedFileSizeBytes + file.cachedBytes === record.physicalOffset, `copy at ${record.physicalOffset} leaves a gap in ${file.path}`);
    if (this.disk.append(file, record, record.sizeBytes) === "disk-full") return "disk-full";
    this.recordsList.push(record);
    this.maxOffsetNow = record.physicalOffset + record.sizeBytes;
    return "ok";
  }

  /**
   * Whether the log's end and `offset` are separated only by the blank
   * record that fills a mapped file's end when the next put does not fit
   * (CommitLog.doAppend's END_FILE_MIN_BLANK_LENGTH case): `offset` starts
   * the next file. A slave receives those blank bytes from its master, so
   * it continues at the new file.
   */
  isBlankTo(offset: number): boolean {
    const size = this.mappedFileSizeBytes;
    return offset > this.maxOffsetNow && offset % size === 0 && Math.floor(this.maxOffsetNow / size) === offset / size - 1;
  }

  /** The index of the first record at or after physical offset `from` (records.length when none). */
  indexAt(from: number): number {
    let lo = 0;
    let hi = this.recordsList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.recordsList[mid]!.physicalOffset < from) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bytes of the log the disk would lose to a power loss now. */
  get unflushedBytes(): number {
    let bytes = 0;
    for (const file of this.files) bytes += file.dirtyBytes;
    return bytes;
  }

  /** Rebuilds the log from what the disk holds: the intact, contiguous puts, the rest cut off. */
  recover(): void {
    this.files.length = 0;
    this.recordsList = [];
    for (let index = 0; this.disk.exists(this.pathOf(index)); index++) this.files.push(this.disk.open<CommitLogRecord>(this.pathOf(index)));
    let expected = 0;
    for (let index = 0; index < this.files.length; index++) {
      const file = this.files[index]!;
      const intact = this.intactCount(file, expected, index);
      if (intact < file.recordCount) {
        this.disk.truncate(file, intact);
        this.removeFilesFrom(index + 1);
      }
      for (const record of file.records) this.recordsList.push(record.value);
      const last = this.recordsList[this.recordsList.length - 1];
      expected = last === undefined ? index * this.mappedFileSizeBytes : last.physicalOffset + last.sizeBytes;
    }
    const last = this.recordsList[this.recordsList.length - 1];
    this.maxOffsetNow = last === undefined ? 0 : last.physicalOffset + last.sizeBytes;
  }

  /** Records of `file` that follow on from `expected` (the first record of a later file starts at the file's start). */
  private intactCount(file: DiskFile<CommitLogRecord>, expected: number, index: number): number {
    const records = file.records;
    let next = expected;
    for (let k = 0; k < records.length; k++) {
      const record = records[k]!;
      const start = k === 0 && index > 0 ? index * this.mappedFileSizeBytes : next;
      if (record.torn || record.value.physicalOffset !== start || (k === 0 && index > 0 && next > start)) return k;
      next = start + record.value.sizeBytes;
    }
    return records.length;
  }

  private removeFilesFrom(index: number): void {
    for (const file of this.files.splice(index)) this.disk.remove(file.path);
  }

  /** The file a put of `sizeBytes` goes to: the current one, or the next when it does not fit. */
  private fileFor(sizeBytes: number): DiskFile<CommitLogRecord> {
    const current = this.files[this.files.length - 1];
    if (current !== undefined && current.cachedBytes + sizeBytes <= this.mappedFileSizeBytes) return current;
    return this.openFile(this.files.length);
  }

  private openFile(index: number): DiskFile<CommitLogRecord> {
    const file = this.disk.open<CommitLogRecord>(this.pathOf(index));
    this.files.push(file);
    return file;
  }

  /** Files are named by their first physical offset, 20 digits, as RocketMQ names them. */
  private pathOf(index: number): string {
    return `store/commitlog/${String(index * this.mappedFileSizeBytes).padStart(20, "0")}`;
  }
}
