/**
 * FlushConsumeQueueService (DefaultMessageStore, rocketmq-all-4.9.4): one
 * thread that waits flushIntervalConsumeQueue (1 s), then walks every
 * consume queue in turn and flushes each that has crossed at least
 * flushConsumeQueueLeastPages (2) page boundaries since its last flush
 * (MappedFile.isAbleToFlush: write/4096 − flush/4096 ≥ least); once every
 * flushConsumeQueueThoroughInterval (60 s) it flushes every queue with
 * anything unflushed (least = 0). Each flush is MappedByteBuffer.force(),
 * which blocks the thread until the device has the pages: the queues are
 * flushed one after another, never together, and the next wait begins only
 * when the walk is over. On a disk that seeks, a walk over many small files
 * is a seek per file.
 *
 * "Unflushed" is the queue's own flushed position (flushedPosition), not the
 * OS's dirty state: pages the kernel wrote back on its own are still forced.
 */
import { assert } from "../../kernel/index.js";
import type { Disk } from "../../world/disk.js";
import type { WorldNode } from "../../world/node.js";
import type { ConsumeQueue } from "./consume-queue.js";

const NS_PER_MS = 1_000_000;
/** MappedFile.OS_PAGE_SIZE. */
const OS_PAGE_BYTES = 4096;

export interface FlushConsumeQueueOptions {
  flushIntervalConsumeQueue: number;
  flushConsumeQueueLeastPages: number;
  flushConsumeQueueThoroughInterval: number;
}

export class FlushConsumeQueueService {
  private lastThoroughNs: number;
  /** The walk under way: the queues in their defined order, and the next to look at. */
  private walk: readonly ConsumeQueue[] = [];
  private walkIndex = 0;
  private leastPages = 0;
  private flushing: ConsumeQueue | null = null;
  private flushingTo = 0;
  private readonly onWakeBound = (): void => this.onWake();
  private readonly onFlushedBound = (): void => this.onFlushed();

  constructor(
    private readonly node: WorldNode,
    private readonly disk: Disk,
    private readonly queues: () => readonly ConsumeQueue[],
    private readonly options: FlushConsumeQueueOptions,
  ) {
    this.lastThoroughNs = node.now;
  }

  start(): void {
    this.node.after(this.options.flushIntervalConsumeQueue * NS_PER_MS, this.onWakeBound);
  }

  private onWake(): void {
    assert(this.flushing === null, "a consume queue walk began while a flush was under way");
    const isThorough = this.node.now >= this.lastThoroughNs + this.options.flushConsumeQueueThoroughInterval * NS_PER_MS;
    if (isThorough) this.lastThoroughNs = this.node.now;
    this.leastPages = isThorough ? 0 : this.options.flushConsumeQueueLeastPages;
    this.walk = this.queues();
    this.walkIndex = 0;
    this.continueWalk();
  }

  /** Flushes the next queue that is able to, or ends the walk and waits for the next. */
  private continueWalk(): void {
    while (this.walkIndex < this.walk.length) {
      const queue = this.walk[this.walkIndex++]!;
      if (!isAbleToFlush(queue, this.leastPages)) continue;
      this.flushing = queue;
      this.flushingTo = queue.writtenBytes;
      this.disk.fsync(queue.file, this.onFlushedBound, null);
      return;
    }
    this.walk = [];
    this.node.after(this.options.flushIntervalConsumeQueue * NS_PER_MS, this.onWakeBound);
  }

  private onFlushed(): void {
    const queue = this.flushing!;
    this.flushing = null;
    queue.markFlushed(this.flushingTo);
    this.continueWalk();
  }
}

/** MappedFile.isAbleToFlush, over the queue's one file. */
function isAbleToFlush(queue: ConsumeQueue, leastPages: number): boolean {
  const write = queue.writtenBytes;
  const flush = queue.flushedBytes;
  if (leastPages > 0) return Math.floor(write / OS_PAGE_BYTES) - Math.floor(flush / OS_PAGE_BYTES) >= leastPages;
  return write > flush;
}
