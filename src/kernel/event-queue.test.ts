import { describe, expect, it } from "vitest";
import { SimulatorBug } from "./assert.js";
import { EventQueue, NO_EVENT, type EventFn, type EventHandle } from "./event-queue.js";
import { Rng } from "./rng.js";

/** Fires the front event the way the Scheduler does; false when the queue is empty. */
function step(queue: EventQueue): boolean {
  if (queue.peekTime() === Infinity) return false;
  const slot = queue.popFront();
  const fn = queue.fnOf(slot);
  const arg = queue.argOf(slot);
  queue.release(slot);
  fn(arg);
  return true;
}

function drain(queue: EventQueue): void {
  while (step(queue));
}

/** A queue plus a log of (id, time) in firing order. */
function recorder(options: ConstructorParameters<typeof EventQueue>[0] = {}) {
  const queue = new EventQueue(options);
  const fired: string[] = [];
  const firedTimesNs: number[] = [];
  const record: EventFn = (id: string) => {
    fired.push(id);
    firedTimesNs.push(queue.now);
  };
  const push = (timeNs: number, id: string): EventHandle => queue.push(timeNs, record, id, 0, 0);
  return { queue, fired, firedTimesNs, record, push };
}

/** Reads a private field; used only to prove that a code path (compaction) really ran. */
function internal(queue: EventQueue, field: "heapSize" | "fifoSize"): number {
  return (queue as unknown as Record<string, number>)[field]!;
}

describe("EventQueue ordering", () => {
  it("fires by time, and by insertion order at equal times", () => {
    const { queue, fired, firedTimesNs, push } = recorder();
    push(50, "a");
    push(10, "b");
    push(30, "c");
    push(10, "d");
    push(0, "e");
    push(30, "f");
    drain(queue);
    expect(fired).toEqual(["e", "b", "d", "c", "f", "a"]);
    expect(firedTimesNs).toEqual([0, 10, 10, 30, 30, 50]);
  });

  it("keeps FIFO order for many ties at one time", () => {
    const { queue, fired, push } = recorder();
    const expected: string[] = [];
    for (let i = 0; i < 500; i++) {
      push(7, `t${i}`);
      expected.push(`t${i}`);
    }
    drain(queue);
    expect(fired).toEqual(expected);
  });

  it("fires heap events already due at T before zero-delay events scheduled at T", () => {
    const { queue, fired, record } = recorder();
    // "a" and "b" go to the heap (scheduled at 0 for 10); "a" then schedules zero-delay
    // work at 10, which takes the FIFO path but must still come after "b".
    queue.push(10, (id: string) => {
      record(id);
      queue.push(10, record, "a.child1", 0, 0);
      queue.push(10, (childId: string) => {
        record(childId);
        queue.push(10, record, "a.child2.child", 0, 0);
      }, "a.child2", 0, 0);
      queue.push(11, record, "a.later", 0, 0);
    }, "a", 0, 0);
    queue.push(10, record, "b", 0, 0);
    queue.push(10, record, "c", 0, 0);
    queue.push(11, record, "d", 0, 0);
    drain(queue);
    expect(fired).toEqual(["a", "b", "c", "a.child1", "a.child2", "a.child2.child", "d", "a.later"]);
  });

  it("runs zero-delay events at the current time before later heap events", () => {
    const { queue, fired, push } = recorder();
    push(5, "later");
    push(0, "now1");
    push(0, "now2");
    expect(queue.size).toBe(3);
    drain(queue);
    expect(fired).toEqual(["now1", "now2", "later"]);
  });

  it("rejects times in the past and non-integer times", () => {
    const { queue, push } = recorder();
    push(100, "x");
    step(queue);
    expect(queue.now).toBe(100);
    expect(() => push(99, "past")).toThrow(SimulatorBug);
    expect(() => push(100.5, "fraction")).toThrow(SimulatorBug);
    expect(() => push(Number.NaN, "nan")).toThrow(SimulatorBug);
    expect(() => push(Infinity, "inf")).toThrow(SimulatorBug);
    expect(queue.size).toBe(0);
  });
});

describe("EventQueue cancel", () => {
  it("returns true once, then false; a cancelled event never fires", () => {
    const { queue, fired, push } = recorder();
    push(1, "a");
    const b = push(2, "b");
    push(3, "c");
    expect(queue.isPending(b)).toBe(true);
    expect(queue.cancel(b)).toBe(true);
    expect(queue.isPending(b)).toBe(false);
    expect(queue.cancel(b)).toBe(false);
    expect(queue.size).toBe(2);
    drain(queue);
    expect(fired).toEqual(["a", "c"]);
  });

  it("cancels zero-delay (FIFO) events too", () => {
    const { queue, fired, push } = recorder();
    push(0, "a");
    const b = push(0, "b");
    push(0, "c");
    expect(queue.cancel(b)).toBe(true);
    drain(queue);
    expect(fired).toEqual(["a", "c"]);
  });

  it("treats handles of fired events as stale, even after their slot is reused", () => {
    const { queue, fired, push } = recorder({ capacityInitial: 16 });
    const a = push(1, "a");
    step(queue);
    expect(queue.isPending(a)).toBe(false);
    expect(queue.cancel(a)).toBe(false);
    // The free list is a stack, so "b" reuses a's slot: only the generation tells them apart.
    const b = push(2, "b");
    expect(b % 2 ** 24).toBe(a % 2 ** 24);
    expect(b).not.toBe(a);
    expect(queue.cancel(a)).toBe(false);
    expect(queue.isPending(b)).toBe(true);
    drain(queue);
    expect(fired).toEqual(["a", "b"]);
  });

  it("ignores NO_EVENT and garbage handles", () => {
    const { queue, push } = recorder();
    push(1, "a");
    expect(queue.cancel(NO_EVENT)).toBe(false);
    expect(queue.cancel(-5)).toBe(false);
    expect(queue.cancel(2 ** 52 + 12345)).toBe(false);
    expect(queue.isPending(NO_EVENT)).toBe(false);
    expect(queue.size).toBe(1);
  });

  it("handles stay valid when the queue grows", () => {
    const { queue, fired, push } = recorder({ capacityInitial: 16 });
    const handles: EventHandle[] = [];
    for (let i = 0; i < 1000; i++) handles.push(push(1000 - i, `e${i}`));
    for (let i = 0; i < 1000; i += 2) expect(queue.cancel(handles[i]!)).toBe(true);
    for (let i = 1; i < 1000; i += 2) expect(queue.isPending(handles[i]!)).toBe(true);
    drain(queue);
    const expected: string[] = [];
    for (let i = 999; i >= 1; i -= 2) expected.push(`e${i}`);
    expect(fired).toEqual(expected);
  });
});

describe("EventQueue growth", () => {
  it("grows far beyond the initial capacity and keeps order", () => {
    const { queue, firedTimesNs, fired, push } = recorder({ capacityInitial: 16 });
    const rng = new Rng(7).stream("growth");
    const expected: { timeNs: number; id: string; order: number }[] = [];
    for (let i = 0; i < 20_000; i++) {
      const timeNs = rng.int(0, 5000);
      push(timeNs, `e${i}`);
      expected.push({ timeNs, id: `e${i}`, order: i });
    }
    expect(queue.size).toBe(20_000);
    expected.sort((x, y) => x.timeNs - y.timeNs || x.order - y.order);
    drain(queue);
    expect(fired).toEqual(expected.map((e) => e.id));
    expect(firedTimesNs).toEqual(expected.map((e) => e.timeNs));
  });

  it("unrolls a wrapped FIFO ring when growing", () => {
    const { queue, fired, push } = recorder({ capacityInitial: 16 });
    push(5, "heap");
    for (let i = 0; i < 12; i++) push(0, `f${i}`);
    // Fire 10 so the ring's head sits near the end of the buffer, then wrap and overflow it.
    for (let i = 0; i < 10; i++) step(queue);
    for (let i = 12; i < 60; i++) push(0, `f${i}`);
    drain(queue);
    const expected = Array.from({ length: 60 }, (_, i) => `f${i}`);
    expected.push("heap");
    expect(fired).toEqual(expected);
  });
});

describe("EventQueue compaction", () => {
  it("keeps order and live handles after more than 4096 cancels", () => {
    const { queue, fired, push } = recorder({ capacityInitial: 16 });
    const rng = new Rng(11).stream("compaction");
    const events: { timeNs: number; id: string; order: number; handle: EventHandle }[] = [];
    for (let i = 0; i < 9000; i++) {
      const timeNs = i % 10 === 0 ? 0 : rng.int(0, 3000); // some land in the FIFO
      events.push({ timeNs, id: `e${i}`, order: i, handle: push(timeNs, `e${i}`) });
    }
    const heapSizeBefore = internal(queue, "heapSize");
    const fifoSizeBefore = internal(queue, "fifoSize");
    expect(fifoSizeBefore).toBe(900);
    const cancelled = new Set<number>();
    while (cancelled.size < 6000) {
      const i = rng.int(0, events.length - 1);
      if (cancelled.has(i)) continue;
      expect(queue.cancel(events[i]!.handle)).toBe(true);
      cancelled.add(i);
    }
    // Compaction ran: the dead entries are physically gone, not merely skipped.
    expect(internal(queue, "heapSize") + internal(queue, "fifoSize")).toBeLessThan(heapSizeBefore + fifoSizeBefore - 4096);
    expect(queue.size).toBe(3000);
    const live = events.filter((_, i) => !cancelled.has(i));
    for (const event of live) expect(queue.isPending(event.handle)).toBe(true);
    // Cancelling after compaction still works.
    const victim = live.splice(1234, 1)[0]!;
    expect(queue.cancel(victim.handle)).toBe(true);
    live.sort((x, y) => x.timeNs - y.timeNs || x.order - y.order);
    drain(queue);
    expect(fired).toEqual(live.map((e) => e.id));
  });
});

describe("EventQueue tie shuffling", () => {
  function shuffledRun(seed: number): { fired: string[]; timesNs: number[] } {
    const ties = new Rng(seed).stream("ties");
    const { queue, fired, firedTimesNs, record } = recorder({ capacityInitial: 16, tieBreaker: () => ties.u32() });
    const handles: EventHandle[] = [];
    for (let i = 0; i < 2000; i++) {
      // Some events spawn zero-delay children: with a tie breaker they must join the shuffle too.
      const fn: EventFn =
        i % 50 === 0
          ? (id: string) => {
              record(id);
              queue.push(queue.now, record, `${id}.child`, 0, 0);
            }
          : record;
      handles.push(queue.push(i % 40, fn, `e${i}`, 0, 0));
    }
    for (let i = 0; i < 2000; i += 7) queue.cancel(handles[i]!);
    drain(queue);
    return { fired, timesNs: firedTimesNs };
  }

  it("gives a total order that depends only on the seed", () => {
    const first = shuffledRun(1);
    const again = shuffledRun(1);
    const other = shuffledRun(2);
    expect(again.fired).toEqual(first.fired);
    expect(other.fired).not.toEqual(first.fired);
    // Every live event fired exactly once, children included.
    const expectedIds = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      if (i % 7 === 0) continue;
      expectedIds.add(`e${i}`);
      if (i % 50 === 0) expectedIds.add(`e${i}.child`);
    }
    expect(first.fired.length).toBe(expectedIds.size);
    expect(new Set(first.fired)).toEqual(expectedIds);
    expect(new Set(other.fired)).toEqual(expectedIds);
  });

  it("shuffles only within an instant: time never goes back", () => {
    const { fired, timesNs } = shuffledRun(3);
    for (let i = 1; i < timesNs.length; i++) expect(timesNs[i]!).toBeGreaterThanOrEqual(timesNs[i - 1]!);
    // And it really shuffles: at time 0, insertion order is not kept.
    const atZero = fired.filter((_, i) => timesNs[i] === 0 && !fired[i]!.endsWith(".child"));
    const insertionOrder = [...atZero].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
    expect(atZero).not.toEqual(insertionOrder);
  });
});
