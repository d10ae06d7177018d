import { describe, expect, it } from "vitest";
import { DEFAULT_ACTIVEMQ_CPU_COSTS } from "./cpu-costs.js";
import { runActiveMq, type ActiveMqRunResult } from "./run.js";

const S = 1_000_000_000;
const PRODUCERS = 64;

/** One broker, 64 producers of persistent 1 KiB messages (sync sends, one in flight each) offering 320,000 msg/s in all, one consumer, for 3 s. */
function run(cores: number): ActiveMqRunResult {
  return runActiveMq({
    seed: 4,
    cluster: { brokers: ["b1"], queues: ["q"], disk: "nvme", cores },
    producers: Array.from({ length: PRODUCERS }, (_, k) => ({ name: `p${k + 1}`, destination: "q", messagesPerSecond: 5_000, bodyBytes: 1_024 })),
    consumers: [{ name: "c1", destination: "q", processNsPerMessage: 0 }],
    faults: [],
    faultPhaseNs: 3 * S,
    convergeNsMax: 0,
    checks: { checks: [] },
    probesAtNs: [1 * S, 3 * S],
  });
}

function deliveredPerSecond(result: ActiveMqRunResult): number {
  let delivered = 0;
  for (const event of result.history.events) if (event.type === "deliver" && event.timeNs >= 1 * S && event.timeNs < 3 * S) delivered += event.count;
  return delivered / 2;
}

describe("an ActiveMQ broker's threads share its machine's cores", () => {
  it("on one core the broker carries what one core's CPU allows per message; eight cores carry several times more", () => {
    const one = run(1);
    const eight = run(8);
    const costs = DEFAULT_ACTIVEMQ_CPU_COSTS;
    // Per message: the producer connection's transport thread, the queue's dispatch, the consumer's ack.
    const cpuPerMessageNs = costs.sendRequestNs + costs.sendByteNs * 1_024 + costs.dispatchMessageNs + costs.dispatchByteNs * 1_024 + costs.ackMessageNs;
    expect(deliveredPerSecond(one)).toBeLessThan(1.05 * (S / cpuPerMessageNs));
    expect(deliveredPerSecond(one)).toBeGreaterThan(0.7 * (S / cpuPerMessageNs));
    expect(deliveredPerSecond(eight)).toBeGreaterThan(2.5 * deliveredPerSecond(one));
    const coresOf = (result: ActiveMqRunResult) => {
      const [from, to] = result.probes.map((probe) => probe.threads.find((thread) => thread.node === "b1" && thread.thread === "cores")!);
      return (to!.busyNs - from!.busyNs) / (2 * S);
    };
    // One core busy all the time (within rounding), and never more.
    expect(coresOf(one)).toBeGreaterThan(0.95);
    expect(coresOf(one)).toBeLessThanOrEqual(1.0001);
  });
});
