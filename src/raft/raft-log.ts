/**
 * One Raft member's persistent state on its node's disk: the log (one record
 * per entry) and a meta file of (currentTerm, votedFor) records, the last
 * intact one being current — Ra's ra_log (WAL + segments) and ra_log_meta.
 *
 * Durability is explicit and asynchronous. Appends land in the page cache;
 * `durableIndex` advances only when an fsync covering them completes, and the
 * member counts an entry toward commit (leader) or acknowledges it (follower)
 * only up to `durableIndex`. At most one log fsync is in flight: entries
 * appended meanwhile are covered by the next one (group commit, as Ra's WAL
 * batches the writes that arrive during an fsync — INTERNALS.md, "WAL's
 * file"). Meta writes are fsynced the same way, and the member holds back any
 * answer that depends on them until `metaDurableSeq` covers them.
 *
 * With isAckOnWrite (DLedger) an entry counts once written: ackableIndex is
 * the last index, `sync()` asks for nothing, and the host flushes the log on
 * its own schedule with `flush()`; a power loss can then take entries a
 * quorum acknowledged. Term and vote stay fsynced before they are relied on
 * in both modes.
 *
 * Recovery after a restart reads what the files still hold: after a process
 * crash the page cache (everything), after a power loss only the durable
 * prefix, possibly ending in a torn record, which fails its checksum and is
 * cut off with everything after it. Nothing recovered is assumed durable: the
 * process cannot know what reached the device, so start-up fsyncs both files
 * before anything recovered is acknowledged or voted on.
 */
import { assert } from "../kernel/index.js";
import type { Marks } from "../kernel/index.js";
import type { Trace } from "../kernel/index.js";
import type { Disk, DiskFile } from "../world/disk.js";
import { LOG_ENTRY_HEADER_BYTES, META_RECORD_BYTES, NOOP_COMMAND_BYTES, type RaftLogEntry } from "./raft-messages.js";

interface MetaRecord {
  readonly term: number;
  readonly votedFor: string | null;
}

/** What the log tells its member. */
export interface RaftLogListener {
  /** durableIndex advanced (or a log fsync completed). */
  onLogDurable(): void;
  /** A meta fsync completed; metaDurableSeq may have advanced. */
  onMetaDurable(): void;
}

export interface RaftLogOptions<C> {
  disk: Disk;
  /** Folder of this member's files, e.g. "raft/<group>/<member>". */
  directory: string;
  commandBytes: (command: C) => number;
  listener: RaftLogListener;
  trace: Trace;
  marks?: Marks | undefined;
  /** Entries count once written, not once fsynced (see above). */
  isAckOnWrite?: boolean;
}

export class RaftLog<C> {
  private readonly disk: Disk;
  private readonly logFile: DiskFile<RaftLogEntry<C>>;
  private readonly metaFile: DiskFile<MetaRecord>;
  private readonly commandBytesOf: (command: C) => number;
  private readonly listener: RaftLogListener;
  private readonly trace: Trace;
  private readonly marks: Marks | null;
  private readonly isAckOnWrite: boolean;
  /** Entry i (1-based) is records[i - 1]; the same objects as on the disk file. */
  private records: RaftLogEntry<C>[] = [];
  private durableIndexNow = 0;
  private isLogSyncInFlight = false;
  /** Last index the fsync in flight covers; lowered by a truncation below it. */
  private logSyncTarget = 0;
  private termNow = 0;
  private votedForNow: string | null = null;
  /** Meta records appended by this incarnation (plus one for a recovered file that still needs its fsync). */
  private metaWritten = 0;
  private metaDurable = 0;
  private isMetaSyncInFlight = false;
  private metaSyncTarget = 0;
  /** The latest (term, votedFor) could not be appended (disk full): retried by retryMeta(). */
  private isMetaUnwritten = false;
  // Disk callbacks bound once: no closure per fsync.
  private readonly onLogSyncedBound = (): void => this.onLogSynced();
  private readonly onMetaSyncedBound = (): void => this.onMetaSynced();

  constructor(options: RaftLogOptions<C>) {
    this.disk = options.disk;
    this.logFile = options.disk.open<RaftLogEntry<C>>(`${options.directory}/log`);
    this.metaFile = options.disk.open<MetaRecord>(`${options.directory}/meta`);
    this.commandBytesOf = options.commandBytes;
    this.listener = options.listener;
    this.trace = options.trace;
    this.marks = options.marks ?? null;
    this.isAckOnWrite = options.isAckOnWrite ?? false;
  }

  // ------------------------------------------------------------ reading

  get lastIndex(): number {
    return this.records.length;
  }

  get lastTerm(): number {
    const count = this.records.length;
    return count === 0 ? 0 : this.records[count - 1]!.term;
  }

  /** Entries 1..durableIndex are on the device (as far as this incarnation's fsyncs know). */
  get durableIndex(): number {
    return this.durableIndexNow;
  }

  /** What the member may count toward commit or acknowledge: the durable prefix, or (isAckOnWrite) everything written. */
  get ackableIndex(): number {
    return this.isAckOnWrite ? this.records.length : this.durableIndexNow;
  }

  get currentTerm(): number {
    return this.termNow;
  }

  get votedFor(): string | null {
    return this.votedForNow;
  }

  /** Meta records that must be durable before an answer that depends on the current (term, votedFor) goes out. */
  get metaRequiredSeq(): number {
    return this.isMetaUnwritten ? this.metaWritten + 1 : this.metaWritten;
  }

  get metaDurableSeq(): number {
    return this.metaDurable;
  }

  termAt(index: number): number {
    if (index === 0) return 0;
    if (!(Number.isSafeInteger(index) && index > 0 && index <= this.records.length)) assert(false, `termAt(${index}) outside 1..${this.records.length}`);
    return this.records[index - 1]!.term;
  }

  entryAt(index: number): RaftLogEntry<C> {
    if (!(Number.isSafeInteger(index) && index > 0 && index <= this.records.length)) assert(false, `entryAt(${index}) outside 1..${this.records.length}`);
    return this.records[index - 1]!;
  }

  /** Entries fromIndex .. fromIndex + count - 1 (the stored objects, shared: they are immutable). */
  slice(fromIndex: number, count: number): RaftLogEntry<C>[] {
    assert(fromIndex >= 1 && count >= 0 && fromIndex + count - 1 <= this.records.length, `slice(${fromIndex}, ${count}) of ${this.records.length}`);
    return this.records.slice(fromIndex - 1, fromIndex - 1 + count);
  }

  all(): readonly RaftLogEntry<C>[] {
    return this.records;
  }

  // ------------------------------------------------------------ recovery

  /** Rebuilds term, votedFor and the log from the files (at every process start), then fsyncs both. */
  recover(): void {
    const meta = this.metaFile.records;
    let metaIntact = 0;
    while (metaIntact < meta.length && !meta[metaIntact]!.torn) metaIntact++;
    if (metaIntact < meta.length) {
      this.marks?.hit("raft.recover.torn-meta");
      this.disk.truncate(this.metaFile, metaIntact);
    }
    if (metaIntact > 0) {
      const last = meta[metaIntact - 1]!.value;
      this.termNow = last.term;
      this.votedForNow = last.votedFor;
    }

    const log = this.logFile.records;
    let intact = 0;
    let previousTerm = 0;
    while (intact < log.length) {
      const record = log[intact]!;
      // A torn record fails its checksum; whatever follows it is unreachable.
      if (record.torn) break;
      const entry = record.value;
      assert(entry.index === intact + 1 && entry.term >= previousTerm, `${this.logFile.subject}: record ${intact} holds index ${entry.index} term ${entry.term}`);
      previousTerm = entry.term;
      intact++;
    }
    if (intact < log.length) {
      this.marks?.hit("raft.recover.torn-log");
      this.disk.truncate(this.logFile, intact);
    }
    this.records = log.slice(0, intact).map((record) => record.value);
    this.trace.record("raft.recover", this.logFile.subject, intact, this.termNow, metaIntact);

    if (this.lastTerm > this.termNow) {
      // The log fsync outran the meta fsync before a power loss. No answer of
      // that later term went out (answers wait for the meta fsync), so no
      // vote was cast in it: adopting it with no vote is safe.
      this.persistMeta(this.lastTerm, null);
    } else if (metaIntact > 0) {
      // What was recovered may be only in the page cache: make it durable before relying on it.
      this.metaWritten = 1;
      this.syncMeta();
    }
    this.sync();
  }

  // ------------------------------------------------------------ writing

  /** Appends an entry at lastIndex + 1; false (nothing stored) when the disk is full. */
  append(term: number, command: C | null): boolean {
    const commandBytes = command === null ? NOOP_COMMAND_BYTES : this.commandBytesOf(command);
    return this.appendEntry({ index: this.records.length + 1, term, command, commandBytes });
  }

  /** Appends an entry received from the leader (the same object: entries are immutable). */
  appendEntry(entry: RaftLogEntry<C>): boolean {
    assert(entry.index === this.records.length + 1, `append of index ${entry.index} after ${this.records.length}`);
    assert(entry.term >= this.lastTerm, `append of term ${entry.term} after term ${this.lastTerm}`);
    if (this.disk.append(this.logFile, entry, LOG_ENTRY_HEADER_BYTES + entry.commandBytes) !== "ok") {
      this.marks?.hit("raft.append.disk-full");
      return false;
    }
    this.records.push(entry);
    return true;
  }

  /** Keeps entries 1..index, drops the rest (a conflicting suffix). */
  truncateAfter(index: number): void {
    assert(index >= 0 && index < this.records.length, `truncate after ${index} of ${this.records.length}`);
    this.trace.record("raft.truncate", this.logFile.subject, index, this.records.length);
    this.marks?.hit("raft.truncate");
    this.records.length = index;
    this.disk.truncate(this.logFile, index);
    this.durableIndexNow = Math.min(this.durableIndexNow, index);
    // The fsync in flight says nothing about entries appended in the cut part's place.
    this.logSyncTarget = Math.min(this.logSyncTarget, index);
  }

  /** Asks for everything appended so far to become durable before it counts (nothing with isAckOnWrite: the host flushes). */
  sync(): void {
    if (!this.isAckOnWrite) this.flush();
  }

  /** Fsyncs everything appended so far; one fsync in flight at a time. */
  flush(): void {
    if (this.isLogSyncInFlight || this.durableIndexNow >= this.records.length) return;
    this.isLogSyncInFlight = true;
    this.logSyncTarget = this.records.length;
    this.disk.fsync(this.logFile, this.onLogSyncedBound, null);
  }

  private onLogSynced(): void {
    this.isLogSyncInFlight = false;
    this.durableIndexNow = Math.max(this.durableIndexNow, Math.min(this.logSyncTarget, this.records.length));
    // Group commit: what was appended during that fsync goes in the next one.
    this.sync();
    this.listener.onLogDurable();
  }

  /** Records a new (term, votedFor); it is durable once metaDurableSeq >= metaRequiredSeq. */
  persistMeta(term: number, votedFor: string | null): void {
    assert(term > this.termNow || (term === this.termNow && (this.votedForNow === null || this.votedForNow === votedFor)), `meta ${this.termNow}/${this.votedForNow} -> ${term}/${votedFor}`);
    this.termNow = term;
    this.votedForNow = votedFor;
    this.writeMeta();
  }

  /** After a disk-full, tries again to write the current (term, votedFor). */
  retryMeta(): void {
    if (this.isMetaUnwritten) this.writeMeta();
  }

  private writeMeta(): void {
    const record: MetaRecord = { term: this.termNow, votedFor: this.votedForNow };
    if (this.disk.append(this.metaFile, record, META_RECORD_BYTES) !== "ok") {
      this.marks?.hit("raft.meta.disk-full");
      this.isMetaUnwritten = true;
      return;
    }
    this.isMetaUnwritten = false;
    this.metaWritten++;
    this.syncMeta();
  }

  private syncMeta(): void {
    if (this.isMetaSyncInFlight) return;
    this.isMetaSyncInFlight = true;
    this.metaSyncTarget = this.metaWritten;
    this.disk.fsync(this.metaFile, this.onMetaSyncedBound, null);
  }

  private onMetaSynced(): void {
    this.isMetaSyncInFlight = false;
    this.metaDurable = Math.max(this.metaDurable, this.metaSyncTarget);
    if (this.metaDurable < this.metaWritten) this.syncMeta();
    this.listener.onMetaDurable();
  }

  checkInvariants(): void {
    const count = this.records.length;
    assert(this.durableIndexNow <= count, `durable ${this.durableIndexNow} > last ${count}`);
    assert(this.metaDurable <= this.metaWritten, `meta durable ${this.metaDurable} > written ${this.metaWritten}`);
    assert(this.lastTerm <= this.termNow, `last log term ${this.lastTerm} > current term ${this.termNow}`);
    assert(this.logFile.recordCount === count, `${this.logFile.subject}: ${this.logFile.recordCount} records for ${count} entries`);
    for (let i = 1; i < count; i++) {
      const entry = this.records[i]!;
      if (!(entry.index === i + 1 && entry.term >= this.records[i - 1]!.term)) assert(false, `entry ${i + 1}: index ${entry.index} term ${entry.term}`);
    }
  }
}
