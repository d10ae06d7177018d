/**
 * ha-promote-on-shutdown vs ha-promote-on-failure
 * (https://www.rabbitmq.com/docs/ha#promotion-while-down): a master that
 * stops in an orderly way (World.shutdown: its node tells the cluster it is
 * leaving) falls under ha-promote-on-shutdown, whose default when-synced
 * keeps an unsynchronised mirror from being promoted; a master that crashes
 * falls under ha-promote-on-failure, default always.
 */
import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import type { HaPolicyDefinition } from "./config.js";
import { rabbitAnomaly, rabbitAnomalyRunSpec } from "./anomalies.js";
import { runRabbitMq } from "./run.js";

const SECOND = 1_000_000_000;

function run(policy: HaPolicyDefinition, masterStop: "shutdown" | "processCrash"): { lost: number; promotedUnsynced: number; notPromoted: number } {
  // ha-mode exactly 2: the mirror on r2 dies, an empty mirror is placed on r3, then the master r1 stops.
  const faults: FaultSchedule = [
    { atNs: 2 * SECOND, verb: "processCrash", node: "r2" },
    { atNs: 5 * SECOND, verb: masterStop, node: "r1" },
  ];
  const spec = rabbitAnomalyRunSpec(rabbitAnomaly("R4"), "unsafe", 4, faults);
  spec.cluster.policies = [{ name: "ha", pattern: "^q$", definition: policy }];
  const result = runRabbitMq(spec);
  const lost = result.checks.find((check) => check.check === "lost")!;
  const marks = new Map(result.marks);
  return { lost: lost.counts["lost"] ?? 0, promotedUnsynced: marks.get("rabbit.mirror.promoted-unsynced") ?? 0, notPromoted: marks.get("rabbit.mirror.not-promoted") ?? 0 };
}

const EXACTLY_2 = { "ha-mode": "exactly", "ha-params": 2, "ha-sync-mode": "manual" } as const;

describe("ha-promote-on-shutdown", () => {
  it("an orderly stop of the master does not promote an unsynchronised mirror by default (when-synced): nothing lost", () => {
    const stopped = run({ ...EXACTLY_2, "ha-promote-on-failure": "always" }, "shutdown");
    expect(stopped.promotedUnsynced).toBe(0);
    expect(stopped.notPromoted).toBeGreaterThan(0);
    expect(stopped.lost).toBe(0);
  });

  it("the same settings lose messages when the master crashes instead (ha-promote-on-failure: always)", () => {
    const crashed = run({ ...EXACTLY_2, "ha-promote-on-failure": "always" }, "processCrash");
    expect(crashed.promotedUnsynced).toBeGreaterThan(0);
    expect(crashed.lost).toBeGreaterThan(0);
  });

  it("ha-promote-on-shutdown: always promotes the unsynchronised mirror on an orderly stop too, and loses", () => {
    const stopped = run({ ...EXACTLY_2, "ha-promote-on-failure": "when-synced", "ha-promote-on-shutdown": "always" }, "shutdown");
    expect(stopped.promotedUnsynced).toBeGreaterThan(0);
    expect(stopped.lost).toBeGreaterThan(0);
  });
});
