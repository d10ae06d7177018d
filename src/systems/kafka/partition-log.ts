/**
 * One replica's log of one partition: record batches on the broker's disk,
 * the log end offset (LEO), and the leader-epoch cache (KIP-101: for each
 * leader epoch, the first offset written in it).
 *
 * Batches are the unit of everything: a produce request appends whole
 * batches, a fetch returns whole batches, truncation cuts at a batch
 * boundary. A batch carries the message ids it holds as a range, so a million
 * messages cost a few thousand objects, not a million.
 *
 * The log lives in the page cache until fsynced (Kafka relies on replication,
 * not fsync, by default); recovery after a crash rebuilds everything from the
 * records the disk still holds and drops a torn tail, as Kafka's log recovery
 * does after an unclean shutdown.
 */
import { assert } from "../../kernel/index.js";
import { growInt32 } from "../../kernel/index.js";
import type { Disk, DiskFile } from "../../world/disk.js";

export interface RecordBatch {
  baseOffset: number;
  /** Records (messages) in the batch; offsets baseOffset .. baseOffset + count - 1. */
  count: number;
  /** Epoch of the leader that first appended the batch. */
  leaderEpoch: number;
  /** Message ids idFirst .. idFirst + count - 1, in offset order. */
  idFirst: number;
  /** Size of the batch on disk and on the wire. */
  bytes: number;
  /** Idempotent producer id (-1 when the producer is not idempotent). */
  producerId: number;
  /** Sequence number of the batch's first record for that producer (-1 when not idempotent). */
  baseSequence: number;
}

export type LogAppendResult = "ok" | "disk-full";

/**
 * The thread an append runs on (a request handler, a replica fetcher): told
 * when the append's write() blocks over the dirty limit (balance_dirty_pages)
 * and when it returns. The batch is in the log either way; only the thread
 * waits.
 */
export interface WriteWaiter {
  onWriteBlocked(): void;
  onWriteReturned(): void;
}

function onWriteReturned(_result: unknown, waiter: WriteWaiter): void {
  waiter.onWriteReturned();
}

/** What a read past the log end returns: one frozen list for every such read (a fetch of a caught-up partition is the common case; nothing writes to what read() returns). */
export const NO_BATCHES = Object.freeze([]) as unknown as RecordBatch[];

/** Kafka's RecordBatch.NO_PARTITION_LEADER_EPOCH / UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_EPOCH_OFFSET = -1;
const UNDEFINED_EPOCH_END = { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_EPOCH_OFFSET } as const;

export class PartitionLog {
  private readonly disk: Disk;
  private readonly file: DiskFile<RecordBatch>;
  private batchesList: RecordBatch[] = [];
  /** The last batch's end (0 when empty), kept rather than read from it: it is asked at every fetch and append. */
  private endOffset = 0;
  /**
   * digests[i]: a 32-bit digest of batches 0..i (offset, count, epoch, first
   * id), so two replicas' logs compare in O(1) — convergence asks "same
   * content?", not only "same end?" — and truncation just shortens it.
   */
  private digests: Int32Array = new Int32Array(64);
  /** How many of `digests` are in use (one per batch): a typed column, so no digest is a boxed number kept for the run. */
  private digestCount = 0;
  /** Leader-epoch cache: epochs ascending, each with the first offset written in it. */
  private epochs: number[] = [];
  private epochStartOffsets: number[] = [];

  constructor(disk: Disk, path: string) {
    this.disk = disk;
    this.file = disk.open<RecordBatch>(path);
    this.recover();
  }

  get logEndOffset(): number {
    return this.endOffset;
  }

  private recomputeEndOffset(): void {
    const last = this.batchesList[this.batchesList.length - 1];
    this.endOffset = last === undefined ? 0 : last.baseOffset + last.count;
  }

  get batches(): readonly RecordBatch[] {
    return this.batchesList;
  }

  /** A digest of the whole log's batches (offsets, counts, epochs, ids): equal logs have equal digests. */
  get contentDigest(): number {
    return this.lastDigest();
  }

  /** The newest leader epoch in the log (-1 when empty). */
  get latestEpoch(): number {
    return this.epochs.length === 0 ? -1 : this.epochs[this.epochs.length - 1]!;
  }

  /** The file on disk, for fsync by the owner's flush policy. */
  get diskFile(): DiskFile<RecordBatch> {
    return this.file;
  }

  /**
   * Appends a batch at the log end. The caller fixes baseOffset (the leader
   * assigns it; a follower copies the leader's). With a waiter, the write is
   * the waiter's thread's: if it blocks on the dirty limit, the waiter hears
   * of it now and again when it returns.
   */
  append(batch: RecordBatch, waiter: WriteWaiter | null = null): LogAppendResult {
    if (!(batch.baseOffset === this.logEndOffset)) assert(false, `append at ${batch.baseOffset}, log end is ${this.logEndOffset}`);
    assert(batch.count > 0 && batch.bytes > 0, "a batch holds at least one record and one byte");
    // An epoch assigned but never written (a leader that stepped down before
    // appending) gives way to an older epoch's batches at its start, as Kafka's
    // LeaderEpochFileCache.assign drops non-monotonic entries; an epoch that
    // holds batches must have been truncated away first.
    if (batch.leaderEpoch < this.latestEpoch) this.truncateEpochsFromEnd(batch.baseOffset);
    if (!(batch.leaderEpoch >= this.latestEpoch)) assert(false, `append of epoch ${batch.leaderEpoch} after epoch ${this.latestEpoch}`);
    const written = waiter === null ? this.disk.append(this.file, batch, batch.bytes) : this.disk.write(this.file, batch, batch.bytes, onWriteReturned, waiter);
    if (written === "disk-full") return "disk-full";
    if (written === "throttled") waiter!.onWriteBlocked();
    this.batchesList.push(batch);
    this.endOffset = batch.baseOffset + batch.count;
    this.pushDigest(digestAfter(this.lastDigest(), batch));
    this.noteEpoch(batch);
    return "ok";
  }

  /**
   * Makes `batches` (consecutive, as read() returned them) readable for a
   * response, as the broker's sendfile() does: returns true when they are all
   * in the page cache; otherwise reads them from the device and returns
   * false, and onLoaded(arg) runs once they are in.
   */
  load<A>(batches: readonly RecordBatch[], onLoaded: (result: unknown, arg: A) => void, arg: A): boolean {
    if (batches.length === 0) return true;
    if (!(this.file.recordCount === this.batchesList.length)) assert(false, `log of ${this.file.recordCount} records holds ${this.batchesList.length} batches`);
    const first = this.indexContaining(batches[0]!.baseOffset);
    assert(first >= 0 && this.batchesList[first] === batches[0], "load of batches not in the log");
    const end = Math.min(first + batches.length, this.batchesList.length);
    if (this.file.isCached(first, end)) return true;
    this.disk.read(this.file, first, end - first, onLoaded, arg);
    return false;
  }

  /**
   * Drops every record at or after `offset`. A batch holding `offset` goes
   * whole, as Kafka's LogSegment.truncateTo cuts at the first batch whose last
   * offset is >= the target. Returns how many batches were dropped.
   */
  truncateTo(offset: number): number {
    assert(offset >= 0, `truncate to ${offset}`);
    let keep = this.batchesList.length;
    while (keep > 0) {
      const batch = this.batchesList[keep - 1]!;
      if (batch.baseOffset + batch.count <= offset) break;
      keep--;
    }
    if (keep === this.batchesList.length) return 0;
    const dropped = this.batchesList.length - keep;
    this.batchesList.length = keep;
    this.recomputeEndOffset();
    this.digestCount = keep;
    this.disk.truncate(this.file, keep);
    this.truncateEpochsFromEnd(this.logEndOffset);
    return dropped;
  }

  /**
   * Whole batches from the one containing `fromOffset`, up to `maxBytes` (at
   * least one batch if any, as Kafka returns an oversized first batch whole).
   */
  read(fromOffset: number, maxBytes: number): RecordBatch[] {
    const first = this.indexContaining(fromOffset);
    if (first < 0) return NO_BATCHES;
    const out: RecordBatch[] = [];
    let bytes = 0;
    for (let i = first; i < this.batchesList.length; i++) {
      const batch = this.batchesList[i]!;
      if (out.length > 0 && bytes + batch.bytes > maxBytes) break;
      out.push(batch);
      bytes += batch.bytes;
    }
    return out;
  }

  /**
   * The leader-epoch cache's answer to OffsetsForLeaderEpoch for `epoch`
   * (Kafka's LeaderEpochFileCache.endOffsetFor): for the latest epoch, the
   * log end; for an older one, the largest known epoch <= it and the start
   * offset of the next epoch; for one older than every known epoch, the
   * start of the first; UNDEFINED (-1, -1) for -1, for an epoch past every
   * known one, and when the cache is empty.
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    const latest = this.latestEpoch;
    if (epoch === UNDEFINED_EPOCH || latest === UNDEFINED_EPOCH) return UNDEFINED_EPOCH_END;
    if (epoch === latest) return { epoch, endOffset: this.logEndOffset };
    let floor = -1;
    for (let i = 0; i < this.epochs.length; i++) if (this.epochs[i]! <= epoch) floor = i;
    if (floor === this.epochs.length - 1) return UNDEFINED_EPOCH_END;
    const higherStart = this.epochStartOffsets[floor + 1]!;
    return { epoch: floor < 0 ? epoch : this.epochs[floor]!, endOffset: higherStart };
  }

  /**
   * A new leader records its epoch as starting at its log end before it
   * appends anything (Kafka's Partition.makeLeader assigns
   * leaderEpochStartOffset), so OffsetsForLeaderEpoch answers followers
   * correctly even while the new epoch holds no batch.
   */
  assignEpoch(epoch: number, startOffset: number): void {
    if (epoch <= this.latestEpoch) return;
    assert(startOffset === this.logEndOffset, `epoch ${epoch} assigned at ${startOffset}, log end is ${this.logEndOffset}`);
    this.epochs.push(epoch);
    this.epochStartOffsets.push(startOffset);
  }

  /** One past the last offset of the batch holding `offset`, or -1 if no batch holds it. */
  endOfBatchContaining(offset: number): number {
    const index = this.indexContaining(offset);
    if (index < 0) return -1;
    const batch = this.batchesList[index]!;
    return batch.baseOffset + batch.count;
  }

  /** The message id at an offset, or -1 (for checkers and assertions). */
  idAt(offset: number): number {
    const index = this.indexContaining(offset);
    if (index < 0) return -1;
    const batch = this.batchesList[index]!;
    return batch.idFirst + (offset - batch.baseOffset);
  }

  /** Rebuilds the in-memory log from the records the disk holds (after a restart). */
  recover(): void {
    const records = this.file.records;
    let intact = 0;
    let nextOffset = 0;
    while (intact < records.length) {
      const record = records[intact]!;
      // A torn batch fails its CRC; anything after it is unreachable.
      if (record.torn || record.value.baseOffset !== nextOffset) break;
      nextOffset += record.value.count;
      intact++;
    }
    if (intact < records.length) this.disk.truncate(this.file, intact);
    this.batchesList = records.slice(0, intact).map((record) => record.value);
    this.recomputeEndOffset();
    this.digestCount = 0;
    let digest = 0;
    for (const batch of this.batchesList) this.pushDigest((digest = digestAfter(digest, batch)));
    this.rebuildEpochCache();
  }

  private lastDigest(): number {
    return this.digestCount === 0 ? 0 : this.digests[this.digestCount - 1]!;
  }

  private pushDigest(digest: number): void {
    if (this.digestCount === this.digests.length) {
      this.digests = growInt32(this.digests, this.digests.length * 2);
    }
    this.digests[this.digestCount++] = digest;
  }

  private noteEpoch(batch: RecordBatch): void {
    if (batch.leaderEpoch > this.latestEpoch) {
      this.epochs.push(batch.leaderEpoch);
      this.epochStartOffsets.push(batch.baseOffset);
    }
  }

  /** Kafka's LeaderEpochFileCache.truncateFromEnd: epochs that start at or past the new log end go. */
  private truncateEpochsFromEnd(endOffset: number): void {
    let keep = this.epochs.length;
    while (keep > 0 && this.epochStartOffsets[keep - 1]! >= endOffset) keep--;
    this.epochs.length = keep;
    this.epochStartOffsets.length = keep;
  }

  private rebuildEpochCache(): void {
    this.epochs = [];
    this.epochStartOffsets = [];
    for (const batch of this.batchesList) this.noteEpoch(batch);
  }

  /** Binary search for the batch containing `offset`, or -1. */
  private indexContaining(offset: number): number {
    let low = 0;
    let high = this.batchesList.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const batch = this.batchesList[middle]!;
      if (offset < batch.baseOffset) high = middle - 1;
      else if (offset >= batch.baseOffset + batch.count) low = middle + 1;
      else return middle;
    }
    return -1;
  }
}

/** FNV-1a style mixing of a batch's identity into a running 32-bit digest (no allocation: it runs per append). */
function digestAfter(previous: number, batch: RecordBatch): number {
  let h = previous ^ 0x811c9dc5;
  h = mix(h, batch.baseOffset);
  h = mix(h, batch.count);
  h = mix(h, batch.leaderEpoch);
  h = mix(h, batch.idFirst);
  return h >>> 0;
}

/** Mixes both 32-bit halves of a safe integer (or -1) into `h`. */
function mix(h: number, value: number): number {
  h = Math.imul(h ^ (value | 0), 0x01000193);
  return Math.imul(h ^ Math.floor(value / 0x100000000), 0x01000193);
}
