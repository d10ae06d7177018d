/**
 * Quorum queue members' Raft logs as the divergence checker's replicas:
 * after a leader's crash and an election, every member holds the same
 * committed messages in the same order, the run's divergence check says so,
 * and a member whose log is altered is caught.
 */
import { describe, expect, it } from "vitest";
import { checkDivergence } from "../../checks/divergence.js";
import { quorumReplicaSnapshots } from "./quorum-snapshots.js";
import { runRabbitMq } from "./run.js";
import { consumer, publisher, rabbitSpec, SECOND } from "./rabbitmq-scenarios.test-support.js";

const run = () =>
  runRabbitMq(
    rabbitSpec({
      seed: 2,
      cluster: { nodes: 3, queues: [{ name: "q", type: "quorum", durable: true, node: "r1" }, { name: "c", type: "classic", durable: true, node: "r2" }] },
      publishers: [publisher({ ratePerSec: 200 })],
      consumers: [consumer({ prefetch: 20 })],
      faults: [
        { atNs: 2 * SECOND, verb: "processCrash", node: "r1" },
        { atNs: 4 * SECOND, verb: "restart", node: "r1" },
      ],
    }),
  );

describe("quorum replica snapshots", () => {
  const result = run();
  const snapshots = quorumReplicaSnapshots(result.cluster);

  it("give one replica per member of each quorum queue and none for classic queues, agreeing on what is committed", () => {
    expect(snapshots.map((snapshot) => `${snapshot.stream}@${snapshot.replica}`)).toEqual(["q@r1", "q@r2", "q@r3"]);
    for (const snapshot of snapshots) expect(snapshot.committedEnd).toBeGreaterThan(500);
    const divergence = result.checks.find((check) => check.check === "divergence");
    expect(divergence?.ok).toBe(true);
    expect(checkDivergence(result.history, snapshots).ok).toBe(true);
  });

  it("catch a member whose committed log differs from the others'", () => {
    const [first, ...rest] = snapshots;
    const entries = [...first!.entries];
    // Two committed enqueues swap places on one member: the same messages, in another order.
    const [a, b] = [entries[1]!, entries[2]!];
    entries[1] = { position: a.position, idFirst: b.idFirst, count: a.count };
    entries[2] = { position: a.position + a.count, idFirst: a.idFirst, count: b.count };
    const altered = checkDivergence(result.history, [{ ...first!, entries }, ...rest]);
    expect(altered.ok).toBe(false);
    expect(altered.violations[0]!.message).toMatch(/q/);
  });
});
