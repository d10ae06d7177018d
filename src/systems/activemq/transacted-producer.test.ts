import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import { runActiveMq, type ActiveMqRunResult } from "./run.js";

const S = 1_000_000_000;

/** One broker, a transacted producer committing every 10 messages (100 msg/s), one consumer. */
function run(faults: FaultSchedule, idempotent: boolean): ActiveMqRunResult {
  return runActiveMq({
    seed: 31,
    cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 100, bodyBytes: 512, messagesPerTransaction: 10 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 1_000_000 }],
    ...(idempotent ? { idempotentQueues: ["orders"] } : {}),
    faults,
    faultPhaseNs: 60 * S,
    convergeNsMax: 120 * S,
    checks: { checks: ["lost", "lost-effects", "duplicated-effects"] },
  });
}

/** b1's answers stop reaching p1 at 5 s (p1's commands still reach b1) until 45 s. */
const ANSWERS_LOST: FaultSchedule = [
  { atNs: 5 * S, verb: "partition", spec: { kind: "one-way", from: ["b1"], to: ["p1"] }, name: "answers" },
  { atNs: 45 * S, verb: "heal", name: "answers" },
];

const check = (result: ActiveMqRunResult, name: string) => result.checks.find((entry) => entry.check === name)!;
const mark = (result: ActiveMqRunResult, name: string): number => result.marks.find(([key]) => key === name)?.[1] ?? 0;

describe("a transacted producer (commit every 10 messages)", () => {
  it("without faults: every transaction commits once, each message is delivered once, only after its commit", () => {
    const result = run([], false);
    expect(result.checks.filter((entry) => !entry.ok)).toEqual([]);
    expect(mark(result, "activemq.producer.transaction-rolled-back")).toBe(0);
    const firstDelivery = result.history.events.find((event) => event.type === "deliver")!;
    const firstAck = result.history.events.find((event) => event.type === "send-result" && event.outcome === "ok")!;
    // Ten messages wait for their commit before the consumer sees any of them.
    expect(firstDelivery.timeNs).toBeGreaterThanOrEqual(firstAck.timeNs - 1_000_000);
  });

  it("a commit whose answer is lost is in doubt: the client reports it rolled back, the application sends its messages again, and the broker, which had committed them, stores them twice", () => {
    const result = run(ANSWERS_LOST, false);
    expect(mark(result, "activemq.producer.transaction-rolled-back")).toBe(1);
    expect(check(result, "lost").ok).toBe(true);
    const duplicated = check(result, "duplicated-effects");
    expect(duplicated.ok).toBe(false);
    expect(duplicated.violations.length).toBeGreaterThan(0);
  });

  it("an idempotent consumer applies the twice-stored messages once", () => {
    const result = run(ANSWERS_LOST, true);
    expect(mark(result, "activemq.producer.transaction-rolled-back")).toBe(1);
    expect(result.checks.filter((entry) => !entry.ok)).toEqual([]);
  });
});
