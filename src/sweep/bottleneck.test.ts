import { describe, expect, it } from "vitest";
import { fixtureRunSummary } from "../report/report-fixture.js";
import type { RunSummary } from "../report/run-summary.js";
import { validateScenario } from "../scenario/load.js";
import type { Scenario } from "../scenario/schema.js";
import { nameBottleneck, offeredMessages, utilisations } from "./bottleneck.js";

/** The scenario the report fixture's numbers describe: 2000 messages/s for 20 s, 1 Gbps NICs, NVMe disks. */
function scenario(overrides: Record<string, unknown> = {}): Scenario {
  const loaded = validateScenario({
    system: "kafka",
    duration: "20s",
    cluster: { brokers: 3, nic: "1Gbps", disk: "nvme" },
    topics: [{ name: "t", partitions: 3, replicationFactor: 3 }],
    producers: [{ topic: "t", rate: "2k/s" }],
    consumers: [{ group: "g1", topics: ["t"] }],
    ...overrides,
  });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

function summary(change: (summary: RunSummary) => void = () => {}): RunSummary {
  const base = fixtureRunSummary();
  change(base);
  return base;
}

describe("bottleneck naming", () => {
  it("names nothing when the offered load was carried, and shows the busiest resource", () => {
    expect(nameBottleneck(scenario(), summary())).toBe("none (offered load carried; busiest b1 disk 7.5%)");
  });

  it("names a NIC direction busy 80% of the workload or more: its time putting bits on the wire", () => {
    const busy = summary((s) => (s.workloadBusy.nics[1]!.ingressBusyNs = 0.9 * 20e9));
    expect(nameBottleneck(scenario(), busy)).toBe("b2 NIC ingress (90% of capacity over the workload)");
    expect(utilisations(busy)[0]).toEqual({ resource: "b2 NIC ingress", share: 0.9 });
  });

  it("names a broker thread by its CPU time over the workload: a handler pool counts its threads together", () => {
    const busy = summary((s) => {
      s.workloadBusy.threads = [
        { node: "b1", thread: "request handlers", busyNs: 8 * 0.5 * 20e9, count: 8 },
        { node: "b2", thread: "busiest replica fetcher", busyNs: 0.85 * 20e9, count: 1 },
      ];
    });
    expect(nameBottleneck(scenario(), busy)).toBe("b2 busiest replica fetcher CPU (85% of capacity over the workload)");
    expect(utilisations(busy).find((u) => u.resource === "b1 request handlers CPU")!.share).toBeCloseTo(0.5);
  });

  it("names a disk by the device's busy time over the workload", () => {
    const busy = summary((s) => (s.workloadBusy.disks[2]!.busyNs = 0.95 * 20e9));
    expect(nameBottleneck(scenario(), busy)).toBe("b3 disk (95% of capacity over the workload)");
  });

  it("divides by the time the workload ran: a run stopped early by a budget has its own elapsed time", () => {
    const early = summary((s) => {
      s.workloadBusy.elapsedNs = 10e9;
      s.workloadBusy.disks[0]!.busyNs = 9e9;
    });
    expect(utilisations(early)[0]).toEqual({ resource: "b1 disk", share: 0.9 });
  });

  it("names consumer capacity when a group's backlog keeps growing through the workload", () => {
    const lagging = summary((s) => (s.timeline.backlogByGroup[0]!.values = s.timeline.acked.map((_, k) => k * 200)));
    expect(nameBottleneck(scenario(), lagging)).toBe("consumer capacity (g1: backlog 7800 at the end of the workload)");
  });

  it("names the producer window when the producers carried under 90% of the offered load, or unavailability when faults kept sends out", () => {
    // The fixture acknowledges 39 000 of the 40 000 offered within the workload (a failover stalls one bucket).
    const halved = summary((s) => (s.timeline.acked = s.timeline.acked.map((count) => count / 2)));
    expect(nameBottleneck(scenario(), halved)).toBe("producer window (carried 49% of offered)");
    const unavailable = summary((s) => {
      s.timeline.acked = s.timeline.acked.map((count) => count / 2);
      s.unavailability.sendSeconds = 9.5;
    });
    expect(nameBottleneck(scenario(), unavailable)).toBe("unavailability (9.5 s with a stream unavailable for writes; carried 49% of offered)");
  });

  it("counts the offered load of every rate shape over the duration", () => {
    expect(offeredMessages(scenario())).toBe(40_000);
    const stepped = scenario({ producers: [{ topic: "t", count: 2, rate: { kind: "piecewise", steps: [{ at: 0, rate: "1k/s" }, { at: "10s", rate: "3k/s" }, { at: "30s", rate: "9k/s" }] } }] });
    expect(offeredMessages(stepped)).toBe(2 * (10 * 1_000 + 10 * 3_000));
  });
});
