/**
 * KahaDB's journal as its DataFileAppender writes it (activemq-kahadb-store,
 * kahadb/disk/journal/DataFileAppender.java and Journal.java, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §1):
 *
 * - one writer thread; while it writes and syncs one batch, the next batch
 *   collects every new record, until it would reach maxWriteBatchSize
 *   (4 MiB) or cross the file's end (journalMaxFileLength, 32 MiB, then the
 *   journal rolls to the next db-N.log): group commit;
 * - a batch is one write(2) (a batch control record, the records) and, if
 *   any record in it is a sync store (ALWAYS and the producer waits for the
 *   answer), one fsync; its sync callers hear back after that fsync;
 * - an async store (no sync, no callback) returns at once, before it is
 *   even written;
 * - journalDiskSyncStrategy PERIODIC: no store is a sync store; every 500 ms
 *   the checkpoint thread forces a sync if 1 s has passed since the last
 *   one and something was written meanwhile. NEVER: no fsync but at a roll.
 *
 * Where the model differs: a caller whose record finds the next batch full
 * does not block (the real appender makes it wait for the writer to take
 * the batch): batches queue behind each other. Recovery is not here yet.
 */
import { assert } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { JournalStorage, StorageResult } from "./journal-storage.js";

const MIB = 1024 * 1024;
const NS_PER_MS = 1_000_000;
/** Journal.RECORD_HEAD_SPACE: a record's length (4) and type (1). */
export const RECORD_HEAD_BYTES = 5;
/** Journal.BATCH_CONTROL_RECORD_SIZE: the head, the magic "WRITE BATCH", a length and an Adler32 checksum. */
export const BATCH_CONTROL_BYTES = RECORD_HEAD_BYTES + 11 + 4 + 8;
/** MessageDatabase.startCheckpoint: the checkpoint thread's period when PERIODIC (min(journalDiskSyncInterval, 500)). */
const PERIODIC_CHECK_NS = 500 * NS_PER_MS;

export type JournalDiskSyncStrategy = "ALWAYS" | "PERIODIC" | "NEVER";

export interface KahaDbJournalOptions {
  journalMaxFileLength: number;
  journalMaxWriteBatchSize: number;
  journalDiskSyncStrategy: JournalDiskSyncStrategy;
  /** PERIODIC: at least this long (ms) between forced syncs. */
  journalDiskSyncInterval: number;
}

export const KAHADB_JOURNAL_DEFAULTS: Readonly<KahaDbJournalOptions> = Object.freeze({
  journalMaxFileLength: 32 * MIB,
  journalMaxWriteBatchSize: 4 * MIB,
  journalDiskSyncStrategy: "ALWAYS",
  journalDiskSyncInterval: 1_000,
});

/** Where a record went: its file and the batch it was written in. */
export interface JournalLocation {
  readonly file: number;
  readonly offset: number;
}

export type JournalCallback<A> = (result: StorageResult, arg: A) => void;

interface Pending {
  record: unknown;
  done: JournalCallback<unknown> | null;
  arg: unknown;
}

interface Batch {
  file: number;
  bytes: number;
  isSync: boolean;
  records: Pending[];
}

export class KahaDbJournal {
  private file = 1;
  private fileBytes = 0;
  /** Batches waiting for the writer, oldest first; the last one takes new records while it has room. */
  private readonly batches: Batch[] = [];
  private writing: Batch | null = null;
  private isWrittenSinceSync = false;
  private lastSyncNs: number;
  private isFailed = false;
  private readonly onWrittenBound = (result: StorageResult, batch: Batch): void => this.onWritten(result, batch);
  private readonly onSyncedBound = (result: StorageResult, batch: Batch): void => this.complete(batch, result);
  private readonly onPeriodicBound = (): void => this.onPeriodic();

  constructor(
    private readonly node: WorldNode,
    private readonly storage: JournalStorage,
    private readonly options: KahaDbJournalOptions,
    /** The file appends start in (after recovery: the one after the last it read). */
    firstFile = 1,
  ) {
    this.file = firstFile;
    this.lastSyncNs = node.now;
    if (options.journalDiskSyncStrategy === "PERIODIC") node.after(PERIODIC_CHECK_NS, this.onPeriodicBound);
  }

  /** The file records are going to now (db-N.log). */
  get currentFile(): number {
    return this.file;
  }

  static pathOf(file: number): string {
    return `kahadb/db-${file}.log`;
  }

  /**
   * Appends a record of `bytes`. `isSync` (a store whose caller waits, under
   * ALWAYS) makes its batch fsync, and `done` hears back after that; without
   * a callback the record is async and nothing is heard. Returns where it goes.
   */
  append<A>(record: unknown, bytes: number, isSync: boolean, done: JournalCallback<A> | null, arg: A): JournalLocation {
    assert(Number.isSafeInteger(bytes) && bytes > 0, `journal record of ${bytes} bytes`);
    if (this.isFailed) {
      // The appender shut down after a write error: every later store fails too.
      done?.("disk-full", arg);
      return { file: this.file, offset: this.fileBytes };
    }
    const size = RECORD_HEAD_BYTES + bytes;
    const batch = this.batchFor(size);
    const location: JournalLocation = { file: batch.file, offset: this.fileBytes };
    batch.records.push({ record, done: done as JournalCallback<unknown> | null, arg });
    batch.bytes += size;
    this.fileBytes += size;
    // Only ALWAYS has sync stores; with it a callback also asks for the sync (syncOnComplete).
    if (this.options.journalDiskSyncStrategy === "ALWAYS" && (isSync || done !== null)) batch.isSync = true;
    this.startNext();
    return location;
  }

  /** The batch a record of `size` joins: the last waiting one if it has room in it and in its file, else a new one. */
  private batchFor(size: number): Batch {
    const last = this.batches[this.batches.length - 1];
    if (last !== undefined && last.file === this.file && last.bytes + size < this.options.journalMaxWriteBatchSize && this.fileBytes + size <= this.options.journalMaxFileLength) return last;
    if (this.fileBytes > 0 && this.fileBytes + size + BATCH_CONTROL_BYTES > this.options.journalMaxFileLength) this.roll();
    const batch: Batch = { file: this.file, bytes: BATCH_CONTROL_BYTES, isSync: false, records: [] };
    this.fileBytes += BATCH_CONTROL_BYTES;
    this.batches.push(batch);
    return batch;
  }

  /** The file is full: the next batch starts db-(N+1).log; the appender syncs the file it leaves. */
  private roll(): void {
    const last = this.batches[this.batches.length - 1];
    if (last !== undefined && last.file === this.file) last.isSync = true;
    this.file++;
    this.fileBytes = 0;
  }

  private startNext(): void {
    if (this.writing !== null || this.batches.length === 0) return;
    const batch = this.batches.shift()!;
    this.writing = batch;
    // Async records return once their batch is taken: nothing waits for them.
    this.storage.write(KahaDbJournal.pathOf(batch.file), batch.records.map((pending) => pending.record), batch.bytes, this.onWrittenBound, batch);
  }

  private onWritten(result: StorageResult, batch: Batch): void {
    if (result !== "ok") return this.complete(batch, result);
    this.isWrittenSinceSync = true;
    if (!batch.isSync) return this.complete(batch, "ok");
    this.storage.sync(KahaDbJournal.pathOf(batch.file), this.onSyncedBound, batch);
  }

  private complete(batch: Batch, result: StorageResult): void {
    if (batch.isSync && result === "ok") {
      this.isWrittenSinceSync = false;
      this.lastSyncNs = this.node.now;
    }
    // A write error shuts the appender down: every waiter hears it (the broker's IOException handler stops the broker).
    if (result !== "ok") this.isFailed = true;
    if (this.writing === batch) this.writing = null;
    for (const pending of batch.records) pending.done?.(result, pending.arg);
    if (!this.isFailed) this.startNext();
  }

  /** PERIODIC: the checkpoint thread's forced sync, once a second when something was written. */
  private onPeriodic(): void {
    const intervalNs = this.options.journalDiskSyncInterval * NS_PER_MS;
    if (this.isWrittenSinceSync && this.node.now - this.lastSyncNs >= intervalNs && !this.isFailed) {
      this.lastSyncNs = this.node.now;
      this.isWrittenSinceSync = false;
      this.storage.sync(KahaDbJournal.pathOf(this.file), noop, null);
    }
    this.node.after(PERIODIC_CHECK_NS, this.onPeriodicBound);
  }
}

function noop(): void {}
