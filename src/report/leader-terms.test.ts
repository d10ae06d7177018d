import { describe, expect, it } from "vitest";
import { leaderTermEndsNs } from "./leader-terms.js";

describe("leaders' terms", () => {
  it("end at the stream's next leader event (even 'no leader'), else at the run's end; other events have none", () => {
    const events = [
      { timeNs: 0, kind: "leader", stream: "t-0" },
      { timeNs: 0, kind: "leader", stream: "t-1" },
      { timeNs: 5, kind: "in-sync", stream: "t-0" },
      { timeNs: 7, kind: "leader", stream: "t-0" },
      { timeNs: 9, kind: "leader", stream: "t-0" },
    ];
    expect([...leaderTermEndsNs(events, 20)]).toEqual([7, 20, -1, 9, 20]);
  });
});
