/**
 * The pending-event set, ordered by (time, sequence).
 *
 * Hot path, so no object is allocated per event:
 * - a binary min-heap over two parallel typed arrays, time and slot: the
 *   sequence number that breaks ties lives in the slot table and is read
 *   only when two times are equal, so a sift moves two words per level, not
 *   three (measured 1.13–1.16× on the hold model);
 * - a slot table holding each event's callback, argument and owner group;
 * - a FIFO ring for events scheduled at the current time (zero delay), which
 *   is where message-passing models put most of their work (OMNeT++ does the
 *   same); it keeps those events out of the heap entirely.
 *
 * Cancellation is lazy: the slot is marked dead and skipped when it reaches the
 * front. When dead entries outnumber live ones the queue is compacted in O(n),
 * so components that re-arm timers constantly cannot bloat it.
 *
 * A handle packs the slot index and the slot's generation, so a stale handle
 * (to an event that already fired or was cancelled) is recognised and ignored.
 */
import { assert } from "./assert.js";
import type { TimeNs } from "./time.js";
import { growFloat64, growInt32, nextPowerOfTwo } from "./typed-array-growth.js";

// The callback receives the argument given at scheduling time. `any` lets each
// caller pass a typed handler without a wrapper closure per event.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventFn = (arg: any) => void;

/** An opaque event handle; `NO_EVENT` is never returned for a scheduled event. */
export type EventHandle = number;
export const NO_EVENT: EventHandle = 0;

const SLOT_BITS = 24;
/** At most 2^24 (16.7 M) pending events per run. */
export const SLOT_LIMIT = 2 ** SLOT_BITS;
// Handles are gen * SLOT_LIMIT + slot and must stay below 2^53.
const GEN_LIMIT = 2 ** (53 - SLOT_BITS);
// Low enough that a small run's cancelled timers (request, delivery, produce
// timeouts: thousands, far in the future) do not deepen every sift for the
// whole run; compaction is O(n) and runs only once dead entries outnumber
// live ones, so its cost stays O(1) per cancel.
const COMPACT_MIN = 256;

/** The slot index a handle names (whether or not the handle is stale). */
export function slotOfHandle(handle: EventHandle): number {
  return handle % SLOT_LIMIT;
}

/** Supplies the tie-break key for same-time events when shuffling is on. */
export type TieBreaker = () => number;

export class EventQueue {
  /** Time of the event most recently taken from the front; never decreases. */
  now: TimeNs = 0;

  // Heap, by heap position.
  private heapTime: Float64Array;
  private heapSlot: Int32Array;
  private heapSize = 0;

  // FIFO ring for events at `now` (only when ties are broken by insertion order).
  private fifoSlot: Int32Array;
  private fifoHead = 0;
  private fifoSize = 0;
  private fifoMask: number;

  // Slot table, by slot index.
  /** Each pending event's sequence number: its place among events at the same time. */
  private slotSeq: Float64Array;
  private slotFn: (EventFn | null)[];
  private slotArg: unknown[];
  private slotGen: Uint32Array;
  /** Owner group and the group's epoch when the event was scheduled (see Scheduler). */
  slotGroup: Int32Array;
  slotEpoch: Uint32Array;
  /**
   * 1 while a popped, still-live slot is held outside the queue (a suspended
   * group's deferred event): cancelling it must not count it as a dead queue
   * entry, since no heap or FIFO entry will ever drop it.
   */
  private slotParked: Uint8Array;
  private freeSlots: Int32Array;
  private freeCount: number;
  private capacity: number;

  private seqNext = 1;
  /** Where the front found by the last peekTime() lives. */
  private frontIsFifo = false;
  private deadPending = 0;
  private readonly tieBreaker: TieBreaker | null;

  constructor(options: { capacityInitial?: number; tieBreaker?: TieBreaker | null } = {}) {
    const capacity = Math.max(16, nextPowerOfTwo(options.capacityInitial ?? 1024));
    this.capacity = capacity;
    // One extra cell past the heap holds the sift-down sentinel (see siftDown).
    this.heapTime = new Float64Array(capacity + 1);
    this.heapSlot = new Int32Array(capacity + 1);
    this.fifoSlot = new Int32Array(capacity);
    this.fifoMask = capacity - 1;
    this.slotSeq = new Float64Array(capacity);
    this.slotFn = new Array<EventFn | null>(capacity).fill(null);
    this.slotArg = new Array<unknown>(capacity).fill(undefined);
    this.slotGen = new Uint32Array(capacity).fill(1);
    this.slotGroup = new Int32Array(capacity);
    this.slotEpoch = new Uint32Array(capacity);
    this.slotParked = new Uint8Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    // Free list is a stack; fill it so that slot 0 is handed out first.
    for (let i = 0; i < capacity; i++) this.freeSlots[i] = capacity - 1 - i;
    this.freeCount = capacity;
    this.tieBreaker = options.tieBreaker ?? null;
  }

  /** Live (not cancelled) pending events. */
  get size(): number {
    return this.heapSize + this.fifoSize - this.deadPending;
  }

  /** Schedules `fn(arg)` at absolute time `time`, owned by `group` at `epoch`. */
  push(time: TimeNs, fn: EventFn, arg: unknown, group: number, epoch: number): EventHandle {
    // Hot path: build the message only on failure (a template literal is evaluated eagerly).
    if (!(time >= this.now && Number.isSafeInteger(time))) {
      assert(false, `event time ${time} is not an integer >= now ${this.now}`);
    }
    if (this.freeCount === 0) this.grow();
    const slot = this.freeSlots[--this.freeCount]!;
    this.slotFn[slot] = fn;
    this.slotArg[slot] = arg;
    this.slotGroup[slot] = group;
    this.slotEpoch[slot] = epoch;
    this.slotSeq[slot] = this.nextSeq();
    if (time === this.now && this.tieBreaker === null) {
      this.fifoSlot[(this.fifoHead + this.fifoSize) & this.fifoMask] = slot;
      this.fifoSize++;
    } else {
      this.siftUp(this.heapSize++, time, slot);
    }
    return this.slotGen[slot]! * SLOT_LIMIT + slot;
  }

  /** Cancels a pending event. Returns false for a stale handle (already fired or cancelled). */
  cancel(handle: EventHandle): boolean {
    if (handle <= 0) return false;
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.capacity || this.slotGen[slot] !== gen || this.slotFn[slot] === null) return false;
    this.slotFn[slot] = null;
    this.slotArg[slot] = undefined;
    this.bumpGen(slot);
    // A parked slot is freed by whoever holds it (requeue or release), not by the queue.
    if (this.slotParked[slot] === 1) return true;
    this.deadPending++;
    if (this.deadPending > COMPACT_MIN && this.deadPending * 2 > this.heapSize + this.fifoSize) this.compact();
    return true;
  }

  /** True if the handle names an event that is still pending. */
  isPending(handle: EventHandle): boolean {
    if (handle <= 0) return false;
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    return slot < this.capacity && this.slotGen[slot] === gen && this.slotFn[slot] !== null;
  }

  /** Time of the next live event, or Infinity. Drops dead entries found at the front. */
  peekTime(): TimeNs {
    const slotFn = this.slotFn;
    for (;;) {
      if (this.fifoSize === 0 || !this.isFifoFirst()) {
        if (this.heapSize === 0) return Infinity;
        const slot = this.heapSlot[0]!;
        if (slotFn[slot] !== null) {
          this.frontIsFifo = false;
          return this.heapTime[0]!;
        }
        this.removeHeapTop();
        this.releaseDead(slot);
      } else {
        const slot = this.fifoSlot[this.fifoHead]!;
        if (slotFn[slot] !== null) {
          this.frontIsFifo = true;
          return this.now;
        }
        this.fifoHead = (this.fifoHead + 1) & this.fifoMask;
        this.fifoSize--;
        this.releaseDead(slot);
      }
    }
  }

  /** The front event's slot. Call only right after peekTime() returned a finite time. */
  frontSlot(): number {
    return this.frontIsFifo ? this.fifoSlot[this.fifoHead]! : this.heapSlot[0]!;
  }

  /**
   * Removes and frees the front event without moving `now`: for an event
   * found dead only by its owner (a cancelled group), which, like a cancelled
   * event, must leave no trace. Call only right after peekTime().
   */
  dropFront(): void {
    let slot: number;
    if (this.frontIsFifo) {
      slot = this.fifoSlot[this.fifoHead]!;
      this.fifoHead = (this.fifoHead + 1) & this.fifoMask;
      this.fifoSize--;
    } else {
      slot = this.heapSlot[0]!;
      this.removeHeapTop();
    }
    this.release(slot);
  }

  /**
   * Removes the front event and returns its slot; `now` becomes its time.
   * Call only right after peekTime() returned a finite time.
   */
  popFront(): number {
    if (this.frontIsFifo) {
      const slot = this.fifoSlot[this.fifoHead]!;
      this.fifoHead = (this.fifoHead + 1) & this.fifoMask;
      this.fifoSize--;
      return slot;
    }
    const slot = this.heapSlot[0]!;
    this.now = this.heapTime[0]!;
    this.removeHeapTop();
    return slot;
  }

  fnOf(slot: number): EventFn {
    return this.slotFn[slot]!;
  }

  argOf(slot: number): unknown {
    return this.slotArg[slot];
  }

  /** Returns a popped slot to the free list; its handle becomes stale. */
  release(slot: number): void {
    this.slotFn[slot] = null;
    this.slotArg[slot] = undefined;
    this.slotParked[slot] = 0;
    this.bumpGen(slot);
    this.freeSlots[this.freeCount++] = slot;
  }

  /** Marks a popped, still-live slot as held outside the queue until requeue() or release(). */
  park(slot: number): void {
    this.slotParked[slot] = 1;
  }

  /**
   * Puts a popped, still-live slot back at `now` (after everything already
   * queued at `now`), keeping its handle valid. Used to resume deferred events.
   * A slot cancelled while parked is freed instead.
   */
  requeue(slot: number): void {
    if (this.slotFn[slot] === null) {
      this.release(slot);
      return;
    }
    this.slotParked[slot] = 0;
    this.slotSeq[slot] = this.nextSeq();
    if (this.tieBreaker === null) {
      this.fifoSlot[(this.fifoHead + this.fifoSize) & this.fifoMask] = slot;
      this.fifoSize++;
    } else {
      this.siftUp(this.heapSize++, this.now, slot);
    }
  }

  /** Advances `now` without an event (run-until-time); only forward. */
  advanceTo(time: TimeNs): void {
    assert(time >= this.now, `cannot move time back from ${this.now} to ${time}`);
    assert(this.fifoSize === this.deadFifoCount(), "cannot advance time past pending zero-delay events");
    this.now = time;
  }

  private nextSeq(): number {
    const counter = this.seqNext++;
    if (this.tieBreaker === null) return counter;
    // Random high bits shuffle same-time events; the counter's low bits keep keys distinct.
    return (this.tieBreaker() >>> 0) * 2 ** 21 + (counter % 2 ** 21);
  }

  /** Call only with a non-empty FIFO. */
  private isFifoFirst(): boolean {
    if (this.heapSize === 0) return true;
    const topTime = this.heapTime[0]!;
    return topTime > this.now || this.slotSeq[this.heapSlot[0]!]! > this.slotSeq[this.fifoSlot[this.fifoHead]!]!;
  }

  private releaseDead(slot: number): void {
    this.deadPending--;
    this.freeSlots[this.freeCount++] = slot;
  }

  private bumpGen(slot: number): void {
    const next = this.slotGen[slot]! + 1;
    this.slotGen[slot] = next >= GEN_LIMIT ? 1 : next;
  }

  private removeHeapTop(): void {
    const last = --this.heapSize;
    if (last > 0) this.siftDown(0, this.heapTime[last]!, this.heapSlot[last]!);
  }

  private siftUp(position: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const slotSeq = this.slotSeq;
    let i = position;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = heapTime[parent]!;
      if (parentTime < time || (parentTime === time && slotSeq[heapSlot[parent]!]! < slotSeq[slot]!)) break;
      heapTime[i] = parentTime;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapSlot[i] = slot;
  }

  /**
   * Classic sift-down with a branch-free choice of the smaller child: which
   * child is smaller is a coin flip for random keys, so a branch there is
   * mispredicted half the time; computing the index arithmetically measured
   * 20–35% faster per pop. Equal times (rare for drawn delays, common for
   * timers on a grid) fall back to the sequence numbers in the slot table.
   * A sentinel (time +Infinity) just past the heap gives every internal node
   * a right child, so the loop needs no bounds test.
   */
  private siftDown(position: number, time: number, slot: number): void {
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const slotSeq = this.slotSeq;
    const size = this.heapSize;
    const half = size >> 1;
    heapTime[size] = Infinity;
    let i = position;
    while (i < half) {
      const left = 2 * i + 1;
      const leftTime = heapTime[left]!;
      const rightTime = heapTime[left + 1]!;
      // Unary + turns the comparison into 0/1 without a branch.
      let child = left + +(rightTime < leftTime);
      if (rightTime === leftTime && slotSeq[heapSlot[left + 1]!]! < slotSeq[heapSlot[left]!]!) child = left + 1;
      const childTime = heapTime[child]!;
      const childSlot = heapSlot[child]!;
      if (time < childTime || (time === childTime && slotSeq[slot]! < slotSeq[childSlot]!)) break;
      heapTime[i] = childTime;
      heapSlot[i] = childSlot;
      i = child;
    }
    heapTime[i] = time;
    heapSlot[i] = slot;
  }

  private deadFifoCount(): number {
    let dead = 0;
    for (let k = 0; k < this.fifoSize; k++) {
      if (this.slotFn[this.fifoSlot[(this.fifoHead + k) & this.fifoMask]!] === null) dead++;
    }
    return dead;
  }

  /** Drops every cancelled entry and rebuilds the heap bottom-up (Floyd), O(n). */
  private compact(): void {
    let kept = 0;
    for (let i = 0; i < this.heapSize; i++) {
      const slot = this.heapSlot[i]!;
      if (this.slotFn[slot] === null) {
        this.releaseDead(slot);
        continue;
      }
      this.heapTime[kept] = this.heapTime[i]!;
      this.heapSlot[kept] = slot;
      kept++;
    }
    this.heapSize = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.heapTime[i]!, this.heapSlot[i]!);
    }
    let fifoKept = 0;
    for (let k = 0; k < this.fifoSize; k++) {
      const from = (this.fifoHead + k) & this.fifoMask;
      const slot = this.fifoSlot[from]!;
      if (this.slotFn[slot] === null) {
        this.releaseDead(slot);
        continue;
      }
      this.fifoSlot[(this.fifoHead + fifoKept) & this.fifoMask] = slot;
      fifoKept++;
    }
    this.fifoSize = fifoKept;
    assert(this.deadPending === 0, `compaction left ${this.deadPending} dead entries`);
  }

  private grow(): void {
    const old = this.capacity;
    const capacity = old * 2;
    assert(capacity <= SLOT_LIMIT, `more than ${SLOT_LIMIT} pending events`);
    this.heapTime = growFloat64(this.heapTime, capacity + 1);
    this.heapSlot = growInt32(this.heapSlot, capacity + 1);
    this.slotSeq = growFloat64(this.slotSeq, capacity);
    // Unroll the ring so that it starts at index 0 in the larger buffer.
    const fifoSlot = new Int32Array(capacity);
    for (let k = 0; k < this.fifoSize; k++) fifoSlot[k] = this.fifoSlot[(this.fifoHead + k) & this.fifoMask]!;
    this.fifoSlot = fifoSlot;
    this.fifoHead = 0;
    this.fifoMask = capacity - 1;
    for (let i = old; i < capacity; i++) {
      this.slotFn.push(null);
      this.slotArg.push(undefined);
    }
    const slotGen = new Uint32Array(capacity).fill(1);
    slotGen.set(this.slotGen);
    this.slotGen = slotGen;
    this.slotGroup = growInt32(this.slotGroup, capacity);
    const slotEpoch = new Uint32Array(capacity);
    slotEpoch.set(this.slotEpoch);
    this.slotEpoch = slotEpoch;
    const slotParked = new Uint8Array(capacity);
    slotParked.set(this.slotParked);
    this.slotParked = slotParked;
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.freeSlots.subarray(0, this.freeCount));
    // New slots go under the existing free ones; order is deterministic either way.
    for (let i = capacity - 1; i >= old; i--) freeSlots[this.freeCount++] = i;
    this.freeSlots = freeSlots;
    this.capacity = capacity;
  }
}
