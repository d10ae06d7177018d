/**
 * Dirty page-cache data waiting for writeback, as extents in the order they
 * were written (FIFO across files). Writeback takes them from the head, so
 * what the device sees mirrors the order the processes wrote in; that order
 * decides how many switches (seeks) the device pays.
 *
 * An extent is never split: each is one or more whole records, so a device
 * request always ends on a record boundary and only a torn write can leave a
 * partial record on the device.
 *
 * Extents go stale without being removed here: an fsync submits a file's
 * dirty data itself, a truncate or remove drops it. The Disk recognises stale
 * extents when they reach the head (isLiveHead). Parallel arrays with a head
 * index, so an append allocates nothing once the arrays have grown.
 */
import { assert } from "../kernel/assert.js";
import type { DiskFile } from "./disk-file.js";

const COMPACT_MIN = 1024;

export class DirtyExtents {
  private files: (DiskFile | null)[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private dirtiedAtNs: number[] = [];
  private head = 0;

  get isEmpty(): boolean {
    return this.head === this.files.length;
  }

  /** Extents queued, stale ones included. */
  get size(): number {
    return this.files.length - this.head;
  }

  /**
   * Records that [start, end) of file became dirty at atNs. Extends the tail
   * extent instead when it is the same file's, contiguous, dirtied at the same
   * instant, wholly unsubmitted, and stays within mergeBytesMax: a burst of
   * small appends then costs one entry, and its age is still exact.
   */
  push(file: DiskFile, start: number, end: number, atNs: number, mergeBytesMax: number): void {
    const tail = this.files.length - 1;
    if (
      tail >= this.head &&
      this.files[tail] === file &&
      this.ends[tail] === start &&
      this.dirtiedAtNs[tail] === atNs &&
      this.starts[tail]! >= file.submittedBytes &&
      end - this.starts[tail]! <= mergeBytesMax
    ) {
      this.ends[tail] = end;
      return;
    }
    this.files.push(file);
    this.starts.push(start);
    this.ends.push(end);
    this.dirtiedAtNs.push(atNs);
  }

  headFile(): DiskFile {
    assert(!this.isEmpty, "no dirty extent");
    return this.files[this.head]!;
  }

  headStart(): number {
    return this.starts[this.head]!;
  }

  headEnd(): number {
    return this.ends[this.head]!;
  }

  headDirtiedAtNs(): number {
    return this.dirtiedAtNs[this.head]!;
  }

  /** False when the head extent was already submitted (fsync), truncated away or its file removed. */
  isLiveHead(): boolean {
    const file = this.files[this.head]!;
    const start = this.starts[this.head]!;
    const end = this.ends[this.head]!;
    return !file.isRemoved && end > start && end > file.submittedBytes;
  }

  shift(): void {
    assert(!this.isEmpty, "shift of an empty dirty queue");
    this.files[this.head] = null;
    this.head++;
    if (this.head === this.files.length) {
      this.clear();
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.files.length) {
      this.files = this.files.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.ends = this.ends.slice(this.head);
      this.dirtiedAtNs = this.dirtiedAtNs.slice(this.head);
      this.head = 0;
    }
  }

  /** The file was truncated to lengthBytes: its extents no longer reach past it. */
  clampFile(file: DiskFile, lengthBytes: number): void {
    for (let i = this.head; i < this.files.length; i++) {
      if (this.files[i] !== file) continue;
      this.starts[i] = Math.min(this.starts[i]!, lengthBytes);
      this.ends[i] = Math.min(this.ends[i]!, lengthBytes);
    }
  }

  clear(): void {
    this.files = [];
    this.starts = [];
    this.ends = [];
    this.dirtiedAtNs = [];
    this.head = 0;
  }
}
