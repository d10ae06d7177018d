import { describe, expect, it } from "vitest";
import { checkLost } from "../checks/lost.js";
import { History } from "../history/history.js";
import type { ClusterEvent } from "../world/cluster-log.js";
import { validateScenario } from "./load.js";
import { lostMessageStories } from "./lost-message-stories.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";

const S = 1_000_000_000;
const event = (timeNs: number, kind: ClusterEvent["kind"], stream: string, node: string, epoch: number, detail: string, toPosition = -1): ClusterEvent => ({ timeNs, kind, stream, node, epoch, detail, toPosition });

/** Two messages acknowledged by b1 at offsets 0 and 1 of t-0; the group reads offset 0 and then offset 1 again, reused by b2 for a later message: the first offset 1 is never seen. */
function historyLosingOffsetOne(): History {
  const history = new History();
  history.reserveIds(3);
  history.record({ type: "send", timeNs: 0, client: "p1", idFirst: 0, count: 2 });
  history.record({ type: "send-result", timeNs: 1 * S, client: "p1", idFirst: 0, count: 2, outcome: "ok", stream: "t-0", position: 0, error: "", server: "b1" });
  history.record({ type: "send", timeNs: 5 * S, client: "p1", idFirst: 2, count: 1 });
  history.record({ type: "send-result", timeNs: 6 * S, client: "p1", idFirst: 2, count: 1, outcome: "ok", stream: "t-0", position: 1, error: "", server: "b2" });
  history.record({ type: "deliver", timeNs: 7 * S, client: "c1", group: "g", stream: "t-0", position: 0, idFirst: 0, count: 1 });
  history.record({ type: "deliver", timeNs: 7 * S, client: "c1", group: "g", stream: "t-0", position: 1, idFirst: 2, count: 1 });
  return history;
}

describe("the lost messages' stories", () => {
  it("tell where a lost message was acknowledged, who led then, and that a new leader without it came before its truncation", () => {
    const history = historyLosingOffsetOne();
    const events = [
      event(0, "leader", "t-0", "b1", 1, "preferred replica"),
      event(3 * S, "node-down", "", "b1", -1, "fenced by the controller"),
      event(3 * S, "leader", "t-0", "b2", 2, "unclean election"),
      event(4 * S, "truncation", "t-0", "b1", 2, "offset 2 → 1", 1),
    ];
    const [story, ...rest] = lostMessageStories(history, [checkLost(history, { groups: ["g"] })], events);
    expect(rest).toEqual([]);
    expect(story).toMatchObject({ check: "lost", kind: "unseen", idFirst: 1, count: 1, client: "p1", stream: "t-0", position: 1, ackedAtNs: 1 * S, ackedBy: "b1", leaderAtAck: { node: "b1", epoch: 1, atNs: 0 } });
    expect(story!.after.map((e) => e.kind)).toEqual(["node-down", "leader", "truncation"]);
    expect(story!.fate).toBe("b2 became leader (epoch 2) without it at 3.000 s (unclean election); then truncated away on b1 at 4.000 s (offset 2 → 1)");
  });

  it("say so when nothing in the cluster log explains the loss, and tell nothing when the check passed", () => {
    const history = historyLosingOffsetOne();
    const [story] = lostMessageStories(history, [checkLost(history, { groups: ["g"] })], []);
    expect(story!.leaderAtAck).toBeNull();
    expect(story!.fate).toMatch(/^no leader change or truncation recorded/);
    const clean = new History();
    expect(lostMessageStories(clean, [checkLost(clean)], [])).toEqual([]);
  });

  it("explain k3's loss from the run itself: the unclean election, then the old leader's truncation", () => {
    const loaded = validateScenario(presetNamed("k3")!.document);
    if (!loaded.ok) throw new Error("preset k3 invalid");
    const { summary } = runScenario(loaded.scenario);
    const story = summary.lostMessages![0]!;
    expect(story).toMatchObject({ kind: "lost", stream: "t-0", ackedBy: "b1", leaderAtAck: { node: "b1" } });
    expect(story.fate).toMatch(/^b2 became leader \(epoch 2\) without it at 10\.000 s \(unclean election.*\); then truncated away on b1 at 10\.001 s \(offset 80 → 21\)$/);
    expect(summary.cluster!.events.some((e) => e.kind === "truncation" && e.node === "b1" && e.toPosition === 21)).toBe(true);
  });
});
