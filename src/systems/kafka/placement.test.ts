import { describe, expect, it } from "vitest";
import { assignReplicas, rackAlternated } from "./cluster.js";

describe("replica placement", () => {
  it("spreads replicas and preferred leaders evenly over the brokers", () => {
    const states = assignReplicas(["b1", "b2", "b3"], [{ name: "t", partitions: 6, replicationFactor: 2 }]);
    expect(states.map((state) => state.replicas.join(","))).toEqual(["b1,b2", "b2,b3", "b3,b1", "b1,b2", "b2,b3", "b3,b1"]);
    const leads = new Map<string, number>();
    for (const state of states) leads.set(state.replicas[0]!, (leads.get(state.replicas[0]!) ?? 0) + 1);
    expect([...leads.values()]).toEqual([2, 2, 2]);
  });

  it("with racks, never puts two replicas of a partition on one rack when there are enough racks", () => {
    const brokers = ["b1", "b2", "b3", "b4", "b5", "b6"];
    const racks = ["a", "a", "b", "b", "c", "c"];
    expect(rackAlternated(brokers, racks)).toEqual(["b1", "b3", "b5", "b2", "b4", "b6"]);
    const rackOf = new Map(brokers.map((name, k) => [name, racks[k]!]));
    const states = assignReplicas(rackAlternated(brokers, racks), [{ name: "t", partitions: 12, replicationFactor: 3 }]);
    for (const state of states) expect(new Set(state.replicas.map((name) => rackOf.get(name))).size, state.topicPartition).toBe(3);
    // Without the rack order, the plain round robin puts b1 and b2 (both rack a) together.
    const plain = assignReplicas(brokers, [{ name: "t", partitions: 12, replicationFactor: 3 }]);
    expect(plain.some((state) => new Set(state.replicas.map((name) => rackOf.get(name))).size < 3)).toBe(true);
  });
});
