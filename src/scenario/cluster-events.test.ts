import { describe, expect, it } from "vitest";
import type { SummaryClusterEvent } from "../report/run-summary.js";
import { validateScenario } from "./load.js";
import { presetNamed } from "./presets.js";
import { runScenario } from "./run-scenario.js";

function clusterEvents(preset: string): SummaryClusterEvent[] {
  const loaded = validateScenario(presetNamed(preset)!.document);
  if (!loaded.ok) throw new Error(`preset ${preset} invalid`);
  return runScenario(loaded.scenario).summary.cluster!.events;
}

const seconds = (event: SummaryClusterEvent): number => Math.round(event.timeNs / 1e6) / 1e3;

describe("each system's cluster log, as a run's summary carries it", () => {
  it("Kafka: the controller's unclean election, the old leader's truncation, fencing; a group's rebalances", () => {
    const k3 = clusterEvents("k3");
    expect(k3.find((e) => e.kind === "leader" && e.stream === "t-0" && e.epoch === 2)).toMatchObject({ node: "b2", detail: "unclean election (out-of-sync replica)" });
    expect(k3.find((e) => e.kind === "truncation")).toMatchObject({ stream: "t-0", node: "b1", toPosition: 21 });
    expect(k3.some((e) => e.kind === "node-down" && e.node === "b1" && seconds(e) === 10)).toBe(true);
    const groups = clusterEvents("c1-fan-out").filter((e) => e.kind === "group");
    expect(groups.map((e) => `${e.stream}@${e.epoch}`)).toEqual(expect.arrayContaining(["search@1", "search@2", "analytics@1"]));
  });

  it("RabbitMQ: the unsynchronised mirror promoted, and each peer's nodedown", () => {
    const r4 = clusterEvents("r4");
    expect(r4.find((e) => e.kind === "leader" && e.node === "r3")).toMatchObject({ stream: "orders", detail: "unsynchronised mirror promoted (what it never had is gone)" });
    expect(r4.filter((e) => e.kind === "node-down" && e.node === "r1").length).toBeGreaterThanOrEqual(1);
  });

  it("RocketMQ: the master's commit log shorter after its power loss; ActiveMQ: the slave taking the lock", () => {
    const q2 = clusterEvents("q2-async-flush-power-loss");
    expect(q2.find((e) => e.kind === "truncation")).toMatchObject({ stream: "broker-a", node: "a0" });
    const a1 = clusterEvents("a1-nfsv4-master-power-loss").filter((e) => e.kind === "leader");
    expect(a1.map((e) => e.node)).toEqual(["b1", "b2"]);
  });
});
