import { describe, expect, it } from "vitest";
import { DelayedActions, type FetchWaker } from "./delayed-actions.js";

function waker(log: string[], name: string): FetchWaker {
  return { completeParkedFetches: () => log.push(name) };
}

describe("DelayedActions (Kafka's ActionQueue)", () => {
  it("runs checks at once outside a request, and once each at the request's end inside one", () => {
    const log: string[] = [];
    const actions = new DelayedActions();
    const a = waker(log, "a");
    const b = waker(log, "b");
    expect(actions.defer(a)).toBe(false);
    actions.begin();
    expect(actions.defer(a)).toBe(true);
    expect(actions.defer(b)).toBe(true);
    expect(actions.defer(a)).toBe(true);
    expect(log).toEqual([]);
    actions.complete();
    expect(log).toEqual(["a", "b"]);
    expect(actions.defer(b)).toBe(false);
  });

  it("refuses a request begun inside another, and an end without a beginning", () => {
    const actions = new DelayedActions();
    expect(() => actions.complete()).toThrow();
    actions.begin();
    expect(() => actions.begin()).toThrow();
  });
});
