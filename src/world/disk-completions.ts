/**
 * Handing disk completions to the process that asked. A completion is
 * process work (node.after): it dies with the process incarnation that asked
 * (a crash cancels it, a restarted process never sees the old one's) and a
 * paused process sees it after resume. Completions of throttled writes are
 * held here until writeback drains dirty data below the limit.
 *
 * Callers pass a bound function and an argument, so an operation costs one
 * small DiskOp and no closure.
 */
import type { DiskFile } from "./disk-file.js";
import type { WorldNode } from "./node.js";

/** How a disk operation reports completion: `onDone(result, arg)`. */
export type DiskCallback<R, A> = (result: R, arg: A) => void;

/** Copying between a process buffer and the page cache: a fixed syscall cost plus ~10 GB/s. */
const MEMCPY_FIXED_NS = 1_000;
const MEMCPY_BYTES_PER_NS = 10;

export function memcpyNs(bytes: number): number {
  return MEMCPY_FIXED_NS + Math.ceil(bytes / MEMCPY_BYTES_PER_NS);
}

/** A caller's pending operation. */
export class DiskOp {
  readonly fn: DiskCallback<unknown, unknown>;
  readonly arg: unknown;
  readonly result: unknown;
  /** The process incarnation that issued it. */
  readonly incarnation: number;
  readonly file: DiskFile;
  /** fsync: file length that must be durable (lowered by a truncate); append and read: bytes copied. */
  targetBytes: number;

  // Positional rather than an options object: this runs once per append.
  constructor(
    fn: DiskCallback<unknown, unknown>,
    arg: unknown,
    result: unknown,
    incarnation: number,
    file: DiskFile,
    targetBytes: number,
  ) {
    this.fn = fn;
    this.arg = arg;
    this.result = result;
    this.incarnation = incarnation;
    this.file = file;
    this.targetBytes = targetBytes;
  }
}

function runDiskOp(op: DiskOp): void {
  op.fn(op.result, op.arg);
}

export class DiskCompletions {
  private readonly node: WorldNode;
  /** Completions of throttled appends, in order. */
  private held: DiskOp[] = [];
  private droppedTotal = 0;

  constructor(node: WorldNode) {
    this.node = node;
  }

  /** Completions not delivered because the process that asked is gone. */
  get droppedCount(): number {
    return this.droppedTotal;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Calls op's callback as process work after delayNs, unless its incarnation is gone. */
  deliver(op: DiskOp, delayNs: number): void {
    const node = this.node;
    // WorldNode.after asserts that a crashed process schedules nothing; this
    // check is what keeps a dead incarnation's completions from reaching it.
    if (!node.isProcessAlive || node.incarnation !== op.incarnation) {
      this.droppedTotal++;
      return;
    }
    node.after(delayNs, runDiskOp, op);
  }

  /** Holds a throttled append's completion until releaseHeld(). */
  hold(op: DiskOp): void {
    this.held.push(op);
  }

  /** Dirty data is back under the limit: the held appends complete, in order, after their copy. */
  releaseHeld(): void {
    if (this.held.length === 0) return;
    const released = this.held;
    this.held = [];
    for (const op of released) this.deliver(op, memcpyNs(op.targetBytes));
  }

  /** The process or the machine died: held completions go with it. */
  dropHeld(): void {
    this.droppedTotal += this.held.length;
    this.held = [];
  }
}
