import { describe, expect, it } from "vitest";
import { Kernel } from "../../kernel/index.js";
import { defaultClassicQueueVersion, hasClassicMirroring, isFsyncedBeforeConfirm } from "./classic-persistence.js";
import { buildRabbitCluster } from "./cluster.js";

describe("what a classic queue's confirm waits for, by release and storage version", () => {
  it("3.12 CQv1 fsyncs every persistent message; 3.13 CQv1 only those embedded in the index; CQv2 never", () => {
    expect(isFsyncedBeforeConfirm("3.12", 1, 100_000, 4096)).toBe(true);
    expect(isFsyncedBeforeConfirm("3.13", 1, 4095, 4096)).toBe(true);
    expect(isFsyncedBeforeConfirm("3.13", 1, 4096, 4096)).toBe(false);
    for (const version of ["3.12", "3.13", "4.x"] as const) expect(isFsyncedBeforeConfirm(version, 2, 10, 4096)).toBe(false);
  });

  it("CQv1 is the default up to 3.13, CQv2 in 4.x; mirroring ends with 3.13", () => {
    expect([defaultClassicQueueVersion("3.12"), defaultClassicQueueVersion("3.13"), defaultClassicQueueVersion("4.x")]).toEqual([1, 1, 2]);
    expect([hasClassicMirroring("3.12"), hasClassicMirroring("3.13"), hasClassicMirroring("4.x")]).toEqual([true, true, false]);
  });

  it("a 4.x cluster refuses a mirrored classic queue and CQv1, by name", () => {
    const queues = [{ name: "q", type: "classic" as const, durable: true }];
    const policies = [{ name: "ha", pattern: "^q$", definition: { "ha-mode": "all" as const } }];
    expect(() => buildRabbitCluster(new Kernel({ seed: 1 }), { nodes: 3, queues, policies })).toThrow(/policy "ha" mirrors a classic queue .* RabbitMQ 4\.x/);
    expect(() => buildRabbitCluster(new Kernel({ seed: 1 }), { nodes: 3, queues, policies, config: { version: "3.13" } })).not.toThrow();
    expect(() => buildRabbitCluster(new Kernel({ seed: 1 }), { nodes: 1, queues: [{ ...queues[0]!, arguments: { "x-queue-version": 1 } }] })).toThrow(/x-queue-version 1/);
  });
});
