import { describe, expect, it } from "vitest";
import { runUntilConverged } from "./converge.js";
import { Scheduler } from "./scheduler.js";

describe("runUntilConverged", () => {
  it("polls until nothing is pending and records when", () => {
    const scheduler = new Scheduler();
    const doneAtNs = 350;
    scheduler.at(doneAtNs, () => undefined);
    const first = scheduler.run({ untilNs: 100 });
    const { liveness } = runUntilConverged(scheduler, first, { deadlineNs: 1_000, pollNs: 100, pendingReasons: () => (scheduler.now < doneAtNs ? ["busy"] : []) });
    expect(liveness).toEqual({ isConverged: true, convergedAtNs: 400, reasons: [] });
  });

  it("gives up at the deadline with the last reasons", () => {
    const scheduler = new Scheduler();
    const first = scheduler.run({ untilNs: 100 });
    const { liveness } = runUntilConverged(scheduler, first, { deadlineNs: 500, pollNs: 100, pendingReasons: () => ["queue q still holds 3 messages"] });
    expect(liveness).toEqual({ isConverged: false, convergedAtNs: -1, reasons: ["queue q still holds 3 messages"] });
    expect(scheduler.now).toBe(500);
  });

  it("says when a budget ended the run", () => {
    const scheduler = new Scheduler({ budgets: { eventsMax: 3, timeNsMax: 10_000 } });
    const tick = (): void => void scheduler.after(10, tick);
    tick();
    const first = scheduler.run({ untilNs: 5 });
    const { liveness, result } = runUntilConverged(scheduler, first, { deadlineNs: 10_000, pollNs: 1_000, pendingReasons: () => ["busy"] });
    expect(result.reason).toBe("events-budget");
    expect(liveness.isConverged).toBe(false);
    expect(liveness.reasons).toEqual(["busy", "the run used up its events budget (budgets.maxEvents, --max-events) before it could converge"]);
  });

  it("says when a model's memory budget ended the run, and later runs end at once", () => {
    const scheduler = new Scheduler({ budgets: { timeNsMax: 10_000 } });
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      if (ticks === 7) scheduler.exhaust("memory-budget");
      scheduler.after(10, tick);
    };
    tick();
    const first = scheduler.run({ untilNs: 500 });
    expect(first.reason).toBe("memory-budget");
    const { liveness, result } = runUntilConverged(scheduler, first, { deadlineNs: 10_000, pollNs: 1_000, pendingReasons: () => ["busy"] });
    expect(result.reason).toBe("memory-budget");
    expect(scheduler.run().reason).toBe("memory-budget");
    expect(ticks).toBe(7);
    expect(liveness.reasons).toEqual(["the run's history reached its memory budget (budgets.maxMemory, --max-memory) before it could converge"]);
  });
});
