/**
 * A FIFO of dirty files for the flusher (disk-writeback.ts), the model's
 * counterpart of Linux's per-device inode lists (b_dirty, b_io).
 *
 * An entry can go stale without being removed: its file was removed, became
 * clean through an fsync, or was queued again elsewhere. Each entry carries
 * the file's dirtiedAtNs as it was when queued, so the owner can tell a stale
 * entry from a live one when it reaches the head. Parallel arrays with a head
 * index: pushing allocates nothing once the arrays have grown.
 */
import { assert } from "../kernel/assert.js";
import type { DiskFile } from "./disk-file.js";

const COMPACT_MIN = 1024;

export class InodeQueue {
  private files: (DiskFile | null)[] = [];
  private stamps: number[] = [];
  private head = 0;

  get isEmpty(): boolean {
    return this.head === this.files.length;
  }

  /** Entries queued, stale ones included. */
  get size(): number {
    return this.files.length - this.head;
  }

  push(file: DiskFile, dirtiedAtNs: number): void {
    this.files.push(file);
    this.stamps.push(dirtiedAtNs);
  }

  headFile(): DiskFile {
    assert(!this.isEmpty, "inode queue is empty");
    return this.files[this.head]!;
  }

  /** The head file's dirtiedAtNs when it was queued. */
  headStamp(): number {
    assert(!this.isEmpty, "inode queue is empty");
    return this.stamps[this.head]!;
  }

  shift(): void {
    assert(!this.isEmpty, "shift of an empty inode queue");
    this.files[this.head] = null;
    this.head++;
    if (this.head === this.files.length) {
      this.clear();
    } else if (this.head >= COMPACT_MIN && this.head * 2 >= this.files.length) {
      this.files = this.files.slice(this.head);
      this.stamps = this.stamps.slice(this.head);
      this.head = 0;
    }
  }

  /** Every file still queued, stale entries included, head first. */
  forEach(visit: (file: DiskFile) => void): void {
    for (let i = this.head; i < this.files.length; i++) visit(this.files[i]!);
  }

  clear(): void {
    this.files = [];
    this.stamps = [];
    this.head = 0;
  }
}
