import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { NS_PER_SEC } from "../kernel/time.js";
import { HistoryScript } from "./history-script.js";
import { formatCheckResults, runChecks } from "./run-checks.js";
import { CHECKER_NAMES } from "./violation.js";

function cleanRun(): HistoryScript {
  const h = new HistoryScript();
  const a = h.produce("p", "s", 0, 3);
  h.deliver("c", "g", "s", 0, a, 3);
  h.effect("c", "g", a, 3);
  h.opOk("p", "send");
  return h;
}

describe("runChecks", () => {
  it("runs every checker whose inputs are present, in the fixed order", () => {
    const h = cleanRun();
    const entries = [{ position: 0, idFirst: 0, count: 3 }];
    const all = runChecks(h.history, { replicas: [{ stream: "s", replica: "b1", entries, committedEnd: 3 }], finalLogs: [{ stream: "s", entries }] });
    expect(all.map((r) => r.check)).toEqual([...CHECKER_NAMES]);
    expect(all.every((r) => r.ok)).toBe(true);
    const withoutSnapshots = runChecks(h.history);
    expect(withoutSnapshots.map((r) => r.check)).toEqual(CHECKER_NAMES.filter((n) => n !== "dirty-read" && n !== "divergence"));
  });

  it("runs only the requested checkers, still in the fixed order", () => {
    const results = runChecks(new History(), {}, { checks: ["duplicated", "lost"] });
    expect(results.map((r) => r.check)).toEqual(["lost", "duplicated"]);
  });

  it("fails a requested checker whose input is missing", () => {
    const [result] = runChecks(new History(), {}, { checks: ["divergence"] });
    expect(result).toMatchObject({ check: "divergence", ok: false });
    expect(formatCheckResults([result!])).toBe("divergence: FAILED: divergence was requested but no replicas were given, so nothing could be checked");
  });

  it("passes options through to the checkers", () => {
    const h = new HistoryScript();
    h.at(0).opFailed("p", "send");
    h.at(3 * NS_PER_SEC).opOk("p", "send");
    const [result] = runChecks(h.history, {}, { checks: ["unavailability"], unavailability: { maxUnavailableNs: NS_PER_SEC } });
    expect(result?.ok).toBe(false);
  });
});

describe("formatCheckResults", () => {
  it("prints one line per check: what was examined when ok, what was wrong and where otherwise", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2);
    h.deliver("c", "g", "s", 0, a, 2);
    h.at(1_234_000_000);
    h.deliver("c", "g", "s", 1, a + 1, 1);
    h.at(2 * NS_PER_SEC).opFailed("p", "send");
    h.at(4 * NS_PER_SEC + 200_000_000).opOk("p", "send");
    const text = formatCheckResults(runChecks(h.history, {}, { checks: ["lost", "duplicated", "unavailability"] }));
    expect(text.split("\n")).toEqual([
      "lost: ok (2 acked, 1 group)",
      "duplicated: 1 message delivered more than once, 1 extra delivery (first at 1.234 s, event #3)",
      "unavailability: ok (send 2.200 s in 1 window (longest 2.200 s), receive never unavailable)",
    ]);
  });

  it("words every checker's failure", () => {
    const h = new HistoryScript();
    const a = h.send("p", 2);
    h.result("p", a, 2, "ok", "s", 0);
    h.deliver("c", "g", "s", 1, a, 1);
    h.deliver("c", "g", "s", 0, a + 1, 1);
    h.effect("c", "g", a, 1);
    h.effect("c", "g", a, 1);
    const results = runChecks(h.history, { replicas: [], finalLogs: [] });
    const lines = formatCheckResults(results).split("\n");
    expect(lines).toHaveLength(CHECKER_NAMES.length);
    for (const line of lines) expect(line).not.toContain("undefined");
    expect(lines).toContain("inconsistent-offsets: 2 positions with conflicting ids (first at 0.002 s, event #2)");
  });
});
