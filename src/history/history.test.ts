import { describe, expect, it } from "vitest";
import { SimulatorBug } from "../kernel/assert.js";
import { History } from "./history.js";

describe("History", () => {
  it("calls onFull once when it reaches recordsMax, and keeps recording after (the final read still lands)", () => {
    let fulls = 0;
    const history = new History({ recordsMax: 3, onFull: () => fulls++ });
    for (let t = 0; t < 5; t++) history.record({ type: "op-ok", timeNs: t, client: "p1", op: "send" });
    expect(fulls).toBe(1);
    expect(history.isFull).toBe(true);
    expect(history.length).toBe(5);
  });

  it("has no limit by default", () => {
    const history = new History();
    for (let t = 0; t < 1000; t++) history.record({ type: "op-ok", timeNs: t, client: "p1", op: "send" });
    expect(history.isFull).toBe(false);
  });

  it("refuses an event out of time order as a simulator bug", () => {
    const history = new History();
    history.record({ type: "op-ok", timeNs: 5, client: "p1", op: "send" });
    expect(() => history.record({ type: "op-ok", timeNs: 4, client: "p1", op: "send" })).toThrow(SimulatorBug);
  });
});
