import { describe, expect, it } from "vitest";
import { History } from "../history/history.js";
import { checkDuplicatedEffects } from "./duplicated-effects.js";
import { HistoryScript, scriptTimeNs } from "./history-script.js";

describe("checkDuplicatedEffects", () => {
  it("passes an empty history", () => {
    expect(checkDuplicatedEffects(new History()).ok).toBe(true);
  });

  it("passes an idempotent consumer that received a message twice but applied it once", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 2);
    h.deliver("c", "g", "s", 0, a, 2);
    h.effect("c", "g", a, 2);
    h.deliver("c", "g", "s", 0, a, 2);
    h.effect("c", "g2", a, 2); // another group applies its own copy
    const result = checkDuplicatedEffects(h.history);
    expect(result.ok).toBe(true);
    expect(result.counts).toMatchObject({ applied: 4, duplicated: 0 });
  });

  it("flags an effect applied twice by one group", () => {
    const h = new HistoryScript();
    const a = h.produce("p", "s", 0, 3);
    h.effect("c1", "g", a, 3);
    const again = h.effect("c2", "g", a + 1, 1);
    const result = checkDuplicatedEffects(h.history);
    expect(result.counts).toMatchObject({ duplicated: 1, extra: 1 });
    expect(result.violations).toEqual([
      expect.objectContaining({
        check: "duplicated-effects",
        eventIndex: again,
        timeNs: scriptTimeNs(again),
        messageIds: [{ idFirst: a + 1, count: 1 }],
      }),
    ]);
    expect(result.violations[0]!.message).toContain('client "c2"');
  });
});
