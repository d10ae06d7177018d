import { describe, expect, it } from "vitest";
import { Rng } from "../../kernel/index.js";
import { LatencyFaultTolerance, notAvailableDurationMs } from "./latency-fault-tolerance.js";
import { runRocketMq, type RocketRunResult } from "./run.js";

const MS = 1_000_000;
const S = 1_000 * MS;

describe("the producer's latency fault tolerance (sendLatencyFaultEnable)", () => {
  it("maps an attempt's latency to how long its broker is passed over, as MQFaultStrategy does; a failure counts as 30 s, ten minutes out", () => {
    expect([0, 49, 50, 99, 100, 549, 550, 999, 1_000, 2_000, 3_000, 14_999, 15_000, 30_000].map(notAvailableDurationMs)).toEqual([
      0, 0, 0, 0, 0, 0, 30_000, 30_000, 60_000, 120_000, 180_000, 180_000, 600_000, 600_000,
    ]);
    const faults = new LatencyFaultTolerance(new Rng(1).stream("t"));
    faults.update("broker-a", 2 * MS, false, 0);
    faults.update("broker-b", 0, true, 0);
    expect(faults.isAvailable("broker-a", 0)).toBe(true);
    expect(faults.isAvailable("broker-b", 599_999 * MS)).toBe(false);
    expect(faults.isAvailable("broker-b", 600_000 * MS)).toBe(true);
    expect(faults.isAvailable("broker-c", 0)).toBe(true);
    // Of two brokers the better half is one: the available, faster one.
    expect(faults.pickOneAtLeast(1 * S)).toBe("broker-a");
  });

  it("after one failed attempt on a crashed master, later sends go straight to the other master instead of failing there first", () => {
    const run = (sendLatencyFaultEnable: boolean): RocketRunResult =>
      runRocketMq({
        seed: 11,
        cluster: { nameServers: 1, brokerGroups: 2, slavesPerGroup: 0, broker: {}, topics: [{ name: "t", queueNums: 4 }] },
        producers: [{ name: "p1", topic: "t", messagesPerSecond: 200, messagesPerSend: 1, bodyBytes: 1_024, config: { sendLatencyFaultEnable } }],
        consumers: [],
        faults: [
          { atNs: 3 * S, verb: "processCrash", node: "a0" },
          { atNs: 8 * S, verb: "restart", node: "a0" },
        ],
        faultPhaseNs: 10 * S,
        convergeNsMax: 30 * S,
      });
    const failedAttempts = (result: RocketRunResult): number => result.history.events.filter((event) => event.type === "op-failed").length;
    const plain = run(false);
    const avoiding = run(true);
    for (const result of [plain, avoiding]) expect(result.checks.filter((check) => !check.ok).map((check) => check.check)).toEqual([]);
    // Without it, every other send tries broker-a first until the route changes; with it, broker-a is out for 10 minutes.
    expect(failedAttempts(plain)).toBeGreaterThan(100);
    expect(failedAttempts(avoiding)).toBeLessThan(5);
  });
});
