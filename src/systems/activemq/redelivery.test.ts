import { describe, expect, it } from "vitest";
import { REDELIVERY_POLICY_DEFAULTS } from "./redelivery-policy.js";
import { runActiveMq, type ActiveMqRunResult } from "./run.js";

const S = 1_000_000_000;

/** One broker, 20 msg/s for 10 s; the consumer's listener throws on every 50th message (ids 50, 100, …). */
function run(maximumRedeliveries: number): ActiveMqRunResult {
  return runActiveMq({
    seed: 41,
    cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 20, bodyBytes: 512 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 1_000_000, failEvery: 50, redeliveryPolicy: { ...REDELIVERY_POLICY_DEFAULTS, maximumRedeliveries } }],
    faults: [],
    faultPhaseNs: 10 * S,
    convergeNsMax: 120 * S,
    checks: { checks: ["lost", "lost-effects"] },
  });
}

const mark = (result: ActiveMqRunResult, name: string): number => result.marks.find(([key]) => key === name)?.[1] ?? 0;

describe("the redelivery policy and the dead-letter queue", () => {
  it("a message the listener always throws on is delivered 1 + maximumRedeliveries times, a redeliveryDelay apart, holding back the ones after it, then poison-acked into ActiveMQ.DLQ: never applied, not lost", () => {
    const result = run(6);
    const poisonIds = result.history.events.flatMap((event) => (event.type === "send" && event.idFirst % 50 === 0 ? [event.idFirst] : []));
    expect(poisonIds.length).toBeGreaterThan(0);
    expect(mark(result, "activemq.consumer.poison-ack")).toBe(poisonIds.length);
    expect(mark(result, "activemq.broker.dead-lettered")).toBe(poisonIds.length);
    const deliveriesOf = (id: number) => result.history.events.filter((event) => event.type === "deliver" && event.client === "c1" && event.idFirst === id);
    const first = deliveriesOf(poisonIds[0]!);
    expect(first).toHaveLength(7);
    for (let k = 1; k < first.length; k++) expect(first[k]!.timeNs - first[k - 1]!.timeNs).toBeGreaterThanOrEqual(1 * S);
    // The message after it waits for the poison message's six redelivery delays (nonBlockingRedelivery false).
    const next = deliveriesOf(poisonIds[0]! + 1)[0]!;
    expect(next.timeNs).toBeGreaterThan(first[6]!.timeNs);
    const lostEffects = result.checks.find((check) => check.check === "lost-effects")!;
    expect(lostEffects.ok).toBe(false);
    expect(lostEffects.violations.flatMap((violation) => violation.messageIds ?? []).map((range) => range.idFirst).sort((a, b) => a - b)).toEqual(poisonIds);
    expect(result.checks.find((check) => check.check === "lost")!.ok).toBe(true);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("maximumRedeliveries 0: the first failure sends the message to the DLQ", () => {
    const result = run(0);
    const poisonId = result.history.events.flatMap((event) => (event.type === "send" && event.idFirst % 50 === 0 ? [event.idFirst] : []))[0]!;
    expect(result.history.events.filter((event) => event.type === "deliver" && event.idFirst === poisonId)).toHaveLength(1);
    expect(mark(result, "activemq.broker.dead-lettered")).toBeGreaterThan(0);
  });
});
