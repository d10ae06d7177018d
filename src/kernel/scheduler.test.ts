import { describe, expect, it } from "vitest";
import { SimulatorBug } from "./assert.js";
import { Digest64 } from "./digest.js";
import type { EventHandle } from "./event-queue.js";
import { ROOT_GROUP, Scheduler, isBudgetExhausted, type SchedulerOptions } from "./scheduler.js";

/** A scheduler plus a log of "id@time" in firing order. */
function harness(options: SchedulerOptions = {}) {
  const scheduler = new Scheduler(options);
  const fired: string[] = [];
  const record = (id: string): void => {
    fired.push(`${id}@${scheduler.now}`);
  };
  return { scheduler, fired, record };
}

describe("Scheduler.run stop reasons", () => {
  it("idle: fires everything and stops at the last event's time", () => {
    const { scheduler, fired, record } = harness();
    scheduler.at(30, record, "c");
    scheduler.at(10, record, "a");
    scheduler.after(20, record, "b");
    const result = scheduler.run();
    expect(result).toEqual({ reason: "idle", timeNs: 30, eventsFired: 3 });
    expect(fired).toEqual(["a@10", "b@20", "c@30"]);
    expect(scheduler.pendingCount).toBe(0);
    expect(isBudgetExhausted(result.reason)).toBe(false);
  });

  it("time-reached: fires up to untilNs inclusive, moves the clock there, keeps later events", () => {
    const { scheduler, fired, record } = harness();
    scheduler.at(10, record, "a");
    scheduler.at(25, record, "b");
    scheduler.at(26, record, "c");
    const result = scheduler.run({ untilNs: 25 });
    expect(result).toEqual({ reason: "time-reached", timeNs: 25, eventsFired: 2 });
    expect(scheduler.now).toBe(25);
    expect(scheduler.pendingCount).toBe(1);
    // Delays are now relative to the new clock.
    scheduler.after(0, record, "d");
    expect(scheduler.run()).toEqual({ reason: "idle", timeNs: 26, eventsFired: 2 });
    expect(fired).toEqual(["a@10", "b@25", "d@25", "c@26"]);
  });

  it("time-reached on an empty queue still moves the clock", () => {
    const { scheduler } = harness();
    expect(scheduler.run({ untilNs: 1000 })).toEqual({ reason: "time-reached", timeNs: 1000, eventsFired: 0 });
    expect(scheduler.now).toBe(1000);
    expect(() => scheduler.run({ untilNs: 999 })).toThrow(SimulatorBug);
  });

  it("predicate: stops right after the event that makes it true", () => {
    const { scheduler, fired, record } = harness();
    for (let i = 1; i <= 10; i++) scheduler.at(i, record, `e${i}`);
    const result = scheduler.run({ until: () => fired.length >= 3 });
    expect(result).toEqual({ reason: "predicate", timeNs: 3, eventsFired: 3 });
    expect(scheduler.pendingCount).toBe(7);
  });

  it("stopped: stop() inside an event ends the run after that event; the next run continues", () => {
    const { scheduler, fired, record } = harness();
    scheduler.at(1, record, "a");
    scheduler.at(2, () => {
      record("stopper");
      scheduler.stop();
    });
    scheduler.at(2, record, "b");
    expect(scheduler.run()).toEqual({ reason: "stopped", timeNs: 2, eventsFired: 2 });
    expect(fired).toEqual(["a@1", "stopper@2"]);
    expect(scheduler.run()).toEqual({ reason: "idle", timeNs: 2, eventsFired: 1 });
    expect(fired).toEqual(["a@1", "stopper@2", "b@2"]);
  });

  it("stop() outside a run does not leak into the next run", () => {
    const { scheduler, record } = harness();
    scheduler.at(1, record, "a");
    scheduler.at(2, record, "b");
    scheduler.stop();
    expect(scheduler.run()).toEqual({ reason: "idle", timeNs: 2, eventsFired: 2 });
  });

  it("events-budget: counts events over the scheduler's whole life", () => {
    const { scheduler, record } = harness({ budgets: { eventsMax: 5 } });
    for (let i = 1; i <= 10; i++) scheduler.at(i, record, `e${i}`);
    const result = scheduler.run({ untilNs: 3 });
    expect(result.eventsFired).toBe(3);
    const second = scheduler.run();
    expect(second).toEqual({ reason: "events-budget", timeNs: 5, eventsFired: 2 });
    expect(isBudgetExhausted(second.reason)).toBe(true);
    expect(scheduler.eventsFired).toBe(5);
    expect(scheduler.run()).toEqual({ reason: "events-budget", timeNs: 5, eventsFired: 0 });
  });

  it("time-budget: fires events at timeNsMax but none later", () => {
    const { scheduler, fired, record } = harness({ budgets: { timeNsMax: 100 } });
    scheduler.at(50, record, "a");
    scheduler.at(100, record, "b");
    scheduler.at(101, record, "c");
    expect(scheduler.run()).toEqual({ reason: "time-budget", timeNs: 100, eventsFired: 2 });
    expect(fired).toEqual(["a@50", "b@100"]);
    expect(scheduler.pendingCount).toBe(1);
  });

  it("time-budget: an event due past the budget, however far (Infinity, beyond 2^53 ns), is parked, cancellable, never fired", () => {
    const { scheduler, fired, record } = harness({ budgets: { timeNsMax: 100 } });
    scheduler.at(50, record, "a");
    const far = scheduler.after(Number.POSITIVE_INFINITY, record, "never");
    scheduler.at(2 ** 60, record, "past-2^53");
    expect(scheduler.isPending(far)).toBe(true);
    expect(scheduler.cancel(far)).toBe(true);
    expect(scheduler.run()).toEqual({ reason: "time-budget", timeNs: 50, eventsFired: 1 });
    expect(fired).toEqual(["a@50"]);
    // NaN is still a bug, not a "never".
    expect(() => scheduler.after(Number.NaN, record, "nan")).toThrow(SimulatorBug);
  });

  it("time-budget: run-until-time never moves the clock past timeNsMax", () => {
    const { scheduler, record } = harness({ budgets: { timeNsMax: 100 } });
    scheduler.at(50, record, "a");
    scheduler.at(2000, record, "late");
    const result = scheduler.run({ untilNs: 1000 });
    expect(result.reason).toBe("time-budget");
    expect(scheduler.now).toBeLessThanOrEqual(100);
    // Same answer with an empty queue beyond the budget.
    const empty = harness({ budgets: { timeNsMax: 100 } });
    empty.scheduler.run({ untilNs: 1000 });
    expect(empty.scheduler.now).toBeLessThanOrEqual(100);
  });

  it("no-progress: a zero-delay event that reschedules itself forever ends the run", () => {
    const { scheduler } = harness({ budgets: { eventsAtOneInstantMax: 1000 } });
    let count = 0;
    const spin = (): void => {
      count++;
      scheduler.after(0, spin);
    };
    scheduler.at(5, spin);
    const result = scheduler.run();
    expect(result).toEqual({ reason: "no-progress", timeNs: 5, eventsFired: 1000 });
    expect(count).toBe(1000);
    expect(isBudgetExhausted(result.reason)).toBe(true);
  });

  it("no-progress: the default budget also ends a zero-delay livelock", () => {
    const { scheduler } = harness();
    const spin = (): void => {
      scheduler.after(0, spin);
    };
    scheduler.after(0, spin);
    const result = scheduler.run();
    expect(result.reason).toBe("no-progress");
    expect(result.eventsFired).toBe(10_000_000);
  });

  it("no-progress counts only events at one instant: time moving forward is progress", () => {
    const { scheduler } = harness({ budgets: { eventsAtOneInstantMax: 10, eventsMax: 1000 } });
    const tick = (): void => {
      // 9 events per instant stays under the budget of 10 forever.
      for (let i = 0; i < 8; i++) scheduler.after(0, () => {});
      scheduler.after(1, tick);
    };
    scheduler.at(0, tick);
    expect(scheduler.run().reason).toBe("events-budget");
  });

  it("rejects negative delays, past times and non-integer times", () => {
    const { scheduler, record } = harness();
    scheduler.at(10, record, "a");
    scheduler.run();
    expect(() => scheduler.after(-1, record, "neg")).toThrow(SimulatorBug);
    expect(() => scheduler.after(Number.NaN, record, "nan")).toThrow(SimulatorBug);
    expect(() => scheduler.at(9, record, "past")).toThrow(SimulatorBug);
    expect(() => scheduler.after(0.5, record, "half")).toThrow(SimulatorBug);
    expect(scheduler.pendingCount).toBe(0);
  });

  it("rejects bad budgets", () => {
    expect(() => new Scheduler({ budgets: { eventsMax: -1 } })).toThrow(SimulatorBug);
    expect(() => new Scheduler({ budgets: { timeNsMax: 1.5 } })).toThrow(SimulatorBug);
  });

  it("feeds fired event times into the digest", () => {
    const digestOf = (timesNs: number[]): string => {
      const digest = new Digest64();
      const scheduler = new Scheduler({ digest });
      for (const timeNs of timesNs) scheduler.at(timeNs, () => {});
      scheduler.run();
      return digest.hex();
    };
    expect(digestOf([1, 2, 3])).toBe(digestOf([3, 2, 1]));
    expect(digestOf([1, 2, 3])).not.toBe(digestOf([1, 2, 4]));
  });
});

describe("Scheduler cancel", () => {
  it("cancel returns true once; stale and NO_EVENT handles return false", () => {
    const { scheduler, fired, record } = harness();
    const a = scheduler.at(1, record, "a");
    const b = scheduler.at(2, record, "b");
    expect(scheduler.cancel(b)).toBe(true);
    expect(scheduler.cancel(b)).toBe(false);
    expect(scheduler.cancel(0)).toBe(false);
    scheduler.run();
    expect(scheduler.cancel(a)).toBe(false);
    expect(fired).toEqual(["a@1"]);
  });
});

describe("Scheduler groups", () => {
  it("cancelGroup drops pending events of that group only", () => {
    const { scheduler, fired, record } = harness();
    const g1 = scheduler.newGroup();
    const g2 = scheduler.newGroup();
    scheduler.at(10, record, "root", ROOT_GROUP);
    const g1Event = scheduler.at(10, record, "g1", g1);
    scheduler.at(0, record, "g1.zero", g1);
    scheduler.at(10, record, "g2", g2);
    scheduler.cancelGroup(g1);
    // An event of a cancelled group is no longer pending, whatever the queue does lazily.
    expect(scheduler.isPending(g1Event)).toBe(false);
    expect(scheduler.cancel(g1Event)).toBe(false);
    // The group lives on: events scheduled after the cancel fire.
    scheduler.at(20, record, "g1.after", g1);
    const result = scheduler.run();
    expect(fired).toEqual(["root@10", "g2@10", "g1.after@20"]);
    // Dropped events do not count as fired.
    expect(result.eventsFired).toBe(3);
  });

  it("drops events a group's event scheduled for itself before the cancel", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    scheduler.at(1, () => {
      record("parent");
      scheduler.after(5, record, "child", group);
      scheduler.cancelGroup(group);
    }, undefined, group);
    scheduler.run();
    expect(fired).toEqual(["parent@1"]);
  });

  it("a cancelled group's events neither move the clock nor end the run on a budget", () => {
    const { scheduler, fired, record } = harness({ budgets: { timeNsMax: 1000 } });
    const group = scheduler.newGroup();
    scheduler.at(10, record, "root");
    scheduler.at(5000, record, "timer", group);
    scheduler.cancelGroup(group);
    const result = scheduler.run();
    expect(fired).toEqual(["root@10"]);
    expect(result).toEqual({ reason: "idle", timeNs: 10, eventsFired: 1 });
  });

  it("root and unknown groups cannot be cancelled, suspended or resumed", () => {
    const { scheduler } = harness();
    expect(() => scheduler.cancelGroup(ROOT_GROUP)).toThrow(SimulatorBug);
    expect(() => scheduler.suspendGroup(ROOT_GROUP)).toThrow(SimulatorBug);
    expect(() => scheduler.resumeGroup(ROOT_GROUP)).toThrow(SimulatorBug);
    expect(() => scheduler.cancelGroup(1)).toThrow(SimulatorBug);
  });

  it("supports many groups", () => {
    const { scheduler, fired, record } = harness();
    const groups = Array.from({ length: 100 }, () => scheduler.newGroup());
    for (const group of groups) scheduler.at(group, record, `g${group}`, group);
    for (const group of groups) if (group % 2 === 0) scheduler.cancelGroup(group);
    scheduler.run();
    expect(fired).toEqual(groups.filter((g) => g % 2 === 1).map((g) => `g${g}@${g}`));
  });

  it("suspendGroup holds events that come due; resumeGroup releases them at the resume time in order", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    scheduler.at(10, record, "g.a", group);
    scheduler.at(20, record, "g.b", group);
    scheduler.at(20, record, "g.c", group);
    scheduler.at(50, record, "g.late", group);
    scheduler.at(15, record, "root.a");
    scheduler.at(40, record, "root.b");
    scheduler.suspendGroup(group);
    expect(scheduler.isSuspended(group)).toBe(true);
    scheduler.at(35, () => {
      record("resume");
      scheduler.resumeGroup(group);
    });
    scheduler.run();
    expect(scheduler.isSuspended(group)).toBe(false);
    expect(fired).toEqual(["root.a@15", "resume@35", "g.a@35", "g.b@35", "g.c@35", "root.b@40", "g.late@50"]);
  });

  it("resumed events run after events already queued at the resume instant", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    scheduler.at(5, record, "g.a", group);
    scheduler.suspendGroup(group);
    scheduler.run({ untilNs: 10 });
    scheduler.after(0, record, "root.now");
    scheduler.resumeGroup(group);
    scheduler.after(0, record, "root.after-resume");
    scheduler.run();
    expect(fired).toEqual(["root.now@10", "g.a@10", "root.after-resume@10"]);
  });

  it("cancelling a deferred event keeps it from firing and keeps the counts right", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    const a = scheduler.at(10, record, "g.a", group);
    scheduler.at(11, record, "g.b", group);
    scheduler.suspendGroup(group);
    scheduler.run({ untilNs: 20 });
    expect(fired).toEqual([]);
    expect(scheduler.isPending(a)).toBe(true);
    expect(scheduler.cancel(a)).toBe(true);
    expect(scheduler.isPending(a)).toBe(false);
    expect(scheduler.cancel(a)).toBe(false);
    // Held events are not counted until resumed; the cancelled one must not be subtracted either.
    expect(scheduler.pendingCount).toBe(0);
    scheduler.resumeGroup(group);
    scheduler.run();
    expect(fired).toEqual(["g.b@20"]);
    expect(scheduler.pendingCount).toBe(0);
  });

  it("cancelling deferred events, then the group, leaves the queue consistent", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    const a = scheduler.at(10, record, "g.a", group);
    scheduler.suspendGroup(group);
    scheduler.run({ untilNs: 20 });
    expect(scheduler.cancel(a)).toBe(true);
    scheduler.cancelGroup(group);
    expect(scheduler.isSuspended(group)).toBe(false);
    scheduler.at(30, record, "root");
    expect(scheduler.pendingCount).toBe(1);
    scheduler.run();
    expect(fired).toEqual(["root@30"]);
    expect(scheduler.pendingCount).toBe(0);
  });

  it("cancelling thousands of deferred events does not trip compaction", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    const handles: EventHandle[] = [];
    for (let i = 0; i < 6000; i++) handles.push(scheduler.at(1 + (i % 10), record, `g${i}`, group));
    scheduler.at(100, record, "root");
    scheduler.suspendGroup(group);
    scheduler.run({ untilNs: 50 });
    for (let i = 0; i < 6000; i++) if (i !== 4321) expect(scheduler.cancel(handles[i]!)).toBe(true);
    expect(scheduler.pendingCount).toBe(1);
    scheduler.resumeGroup(group);
    scheduler.run();
    expect(fired).toEqual(["g4321@50", "root@100"]);
    expect(scheduler.pendingCount).toBe(0);
  });

  it("cancelGroup drops deferred events and ends the suspension", () => {
    const { scheduler, fired, record } = harness();
    const group = scheduler.newGroup();
    const held = scheduler.at(10, record, "g.held", group);
    scheduler.suspendGroup(group);
    scheduler.run({ untilNs: 20 });
    scheduler.cancelGroup(group);
    expect(scheduler.isPending(held)).toBe(false);
    expect(scheduler.isSuspended(group)).toBe(false);
    scheduler.at(25, record, "g.new", group);
    scheduler.resumeGroup(group);
    scheduler.run();
    expect(fired).toEqual(["g.new@25"]);
  });
});
