import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { NS_PER_MS, NS_PER_SEC } from "../kernel/time.js";
import { HistoryScript } from "./history-script.js";
import { checkUnavailability } from "./unavailability.js";

describe("checkUnavailability", () => {
  it("reports nothing for an empty history", () => {
    const result = checkUnavailability(new History());
    expect(result).toMatchObject({ check: "unavailability", ok: true, windows: [], longest: { send: null, receive: null } });
    expect(result.counts).toMatchObject({ sendWindows: 0, sendUnavailableNs: 0, receiveWindows: 0 });
  });

  it("measures windows from the first failure to the next success, per client and op", () => {
    const h = new HistoryScript();
    h.opOk("p1", "send");
    h.at(1 * NS_PER_SEC);
    const opened = h.opFailed("p1", "send");
    h.opFailed("p1", "send");
    h.opFailed("c1", "receive");
    h.at(3 * NS_PER_SEC);
    const closed = h.opOk("p1", "send");
    h.at(2 * NS_PER_SEC + 3 * NS_PER_SEC);
    h.opFailed("p2", "send"); // never recovers: open until the end
    h.at(6 * NS_PER_SEC);
    h.opOk("c1", "receive");
    const result = checkUnavailability(h.history);
    expect(result.ok).toBe(true);
    expect(result.windows).toEqual([
      { client: "p1", op: "send", startNs: 1 * NS_PER_SEC, endNs: 3 * NS_PER_SEC, durationNs: 2 * NS_PER_SEC, startEventIndex: opened, endEventIndex: closed, failures: 2 },
      expect.objectContaining({ client: "c1", op: "receive", startNs: 1 * NS_PER_SEC + 2 * NS_PER_MS, endNs: 6 * NS_PER_SEC }),
      expect.objectContaining({ client: "p2", op: "send", startNs: 5 * NS_PER_SEC, endNs: 6 * NS_PER_SEC, endEventIndex: -1 }),
    ]);
    expect(result.counts).toMatchObject({
      sendWindows: 2,
      sendFailures: 3,
      sendUnavailableNs: 3 * NS_PER_SEC,
      sendLongestNs: 2 * NS_PER_SEC,
      receiveWindows: 1,
    });
    expect(result.longest.send).toMatchObject({ client: "p1" });
  });

  it("counts overlapping windows of different clients once in the total", () => {
    const h = new HistoryScript();
    h.at(0).opFailed("p1", "send");
    h.at(1 * NS_PER_SEC).opFailed("p2", "send");
    h.at(2 * NS_PER_SEC).opOk("p1", "send");
    h.at(4 * NS_PER_SEC).opOk("p2", "send");
    expect(checkUnavailability(h.history).counts["sendUnavailableNs"]).toBe(4 * NS_PER_SEC);
  });

  it("fails windows longer than the limit, visible once the limit had passed", () => {
    const h = new HistoryScript();
    h.at(0).opFailed("p", "send");
    h.at(1 * NS_PER_SEC).opFailed("p", "send");
    const after = h.at(3 * NS_PER_SEC).opFailed("c", "receive");
    h.at(4 * NS_PER_SEC).opOk("p", "send");
    h.at(4 * NS_PER_SEC + NS_PER_MS).opOk("c", "receive");
    const result = checkUnavailability(h.history, { maxUnavailableNs: 2 * NS_PER_SEC });
    expect(result.ok).toBe(false);
    expect(result.violations).toEqual([
      expect.objectContaining({ check: "unavailability", eventIndex: after, timeNs: 3 * NS_PER_SEC, messageIds: [] }),
    ]);
    expect(checkUnavailability(h.history, { maxUnavailableNs: 4 * NS_PER_SEC }).ok).toBe(true);
  });

  it("keeps only the first windows when asked, while counting all", () => {
    const h = new HistoryScript();
    for (let k = 0; k < 5; k++) {
      h.opFailed("p", "send");
      h.opOk("p", "send");
    }
    const result = checkUnavailability(h.history, { windowsKept: 2 });
    expect(result.windows).toHaveLength(2);
    expect(result.counts["sendWindows"]).toBe(5);
  });
});
