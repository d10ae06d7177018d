import { describe, expect, it } from "vitest";
import type { FaultSchedule } from "../../faults/fault.js";
import type { ActiveMqConsumerWorkload } from "./activemq-consumer.js";
import { REDELIVERY_POLICY_DEFAULTS } from "./redelivery-policy.js";
import { runActiveMq, type ActiveMqRunResult } from "./run.js";

const S = 1_000_000_000;
type ConsumerOptions = Partial<Omit<ActiveMqConsumerWorkload, "name" | "destination" | "brokers">>;

/** One broker, 20 msg/s for 10 s, one consumer; its listener throws on every 50th message (ids 50, 100, …). */
function runFailing(consumer: ConsumerOptions): ActiveMqRunResult {
  return runActiveMq({
    seed: 41,
    cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 20, bodyBytes: 512 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 1_000_000, failEvery: 50, ...consumer }],
    faults: [],
    faultPhaseNs: 10 * S,
    convergeNsMax: 120 * S,
    checks: { checks: ["lost", "lost-effects", "duplicated-effects"] },
  });
}

/**
 * One broker, 50 msg/s for 45 s; the consumer takes 30 ms a message, so it
 * holds a prefetched backlog. It is cut off from 3 s to 40 s: it goes on
 * processing what it had, its acks never arrive, and both sides' inactivity
 * monitors close the connection; the broker gives those messages again
 * once it reconnects.
 */
function runPartitioned(consumer: ConsumerOptions): ActiveMqRunResult {
  const faults: FaultSchedule = [
    { atNs: 3 * S, verb: "partition", spec: { kind: "isolate", nodes: ["c1"] } },
    { atNs: 40 * S, verb: "heal" },
  ];
  return runActiveMq({
    seed: 12,
    cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
    producers: [{ name: "p1", destination: "orders", messagesPerSecond: 50, bodyBytes: 512 }],
    consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 30_000_000, ...consumer }],
    faults,
    faultPhaseNs: 45 * S,
    convergeNsMax: 200 * S,
    checks: { checks: ["lost", "lost-effects", "duplicated-effects"] },
  });
}

const mark = (result: ActiveMqRunResult, name: string): number => result.marks.find(([key]) => key === name)?.[1] ?? 0;
const check = (result: ActiveMqRunResult, name: string) => result.checks.find((candidate) => candidate.check === name)!;
const sentIds = (result: ActiveMqRunResult): number[] => result.history.events.flatMap((event) => (event.type === "send" ? [event.idFirst] : []));
const countOf = (result: ActiveMqRunResult, type: "deliver" | "effect", id: number): number => result.history.events.filter((event) => event.type === type && event.idFirst === id).length;
const violationIds = (result: ActiveMqRunResult, name: string): number[] =>
  check(result, name).violations.flatMap((violation) => violation.messageIds ?? []).flatMap((range) => Array.from({ length: range.count }, (_, k) => range.idFirst + k)).sort((a, b) => a - b);

describe("the ActiveMQ consumer's acknowledge modes", () => {
  it("INDIVIDUAL_ACKNOWLEDGE rolls a failed message back like AUTO: redelivered, then to the DLQ", () => {
    const result = runFailing({ acknowledgeMode: "INDIVIDUAL_ACKNOWLEDGE" });
    const poisonIds = sentIds(result).filter((id) => id % 50 === 0);
    expect(poisonIds.length).toBeGreaterThan(0);
    expect(countOf(result, "deliver", poisonIds[0]!)).toBe(7);
    expect(mark(result, "activemq.broker.dead-lettered")).toBe(poisonIds.length);
    expect(violationIds(result, "lost-effects")).toEqual(poisonIds);
  });

  it("CLIENT_ACKNOWLEDGE: the session delivers the next message and the application's next acknowledge() acks the failed one too: delivered once, never redelivered, not in the DLQ", () => {
    const result = runFailing({ acknowledgeMode: "CLIENT_ACKNOWLEDGE", acknowledgeEvery: 10 });
    const poisonIds = sentIds(result).filter((id) => id % 50 === 0);
    expect(poisonIds.length).toBeGreaterThan(0);
    for (const id of poisonIds) expect(countOf(result, "deliver", id)).toBe(1);
    expect(mark(result, "activemq.consumer.failed-message-acknowledged")).toBe(poisonIds.length);
    expect(mark(result, "activemq.broker.dead-lettered")).toBe(0);
    expect(violationIds(result, "lost-effects")).toEqual(poisonIds);
    expect(check(result, "lost").ok).toBe(true);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("SESSION_TRANSACTED: the application's rollback gives the whole transaction again, and past maximumRedeliveries all of it goes to the DLQ, the messages that did not fail applied seven times", () => {
    const result = runFailing({ acknowledgeMode: "SESSION_TRANSACTED", messagesPerTransaction: 5 });
    const poisonIds = sentIds(result).filter((id) => id % 50 === 0);
    const deadLettered = mark(result, "activemq.broker.dead-lettered");
    expect(deadLettered).toBeGreaterThan(poisonIds.length);
    // Only the poison messages were never applied; the others dead-lettered with them were applied at each of their 7 deliveries.
    expect(violationIds(result, "lost-effects")).toEqual(poisonIds);
    const innocent = violationIds(result, "duplicated-effects");
    expect(innocent.length).toBe(deadLettered - poisonIds.length);
    for (const id of innocent) expect(countOf(result, "effect", id)).toBe(7);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("SESSION_TRANSACTED without failures commits every messagesPerTransaction: every message applied once", () => {
    const result = runActiveMq({
      seed: 3,
      cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
      producers: [{ name: "p1", destination: "orders", messagesPerSecond: 200, bodyBytes: 512 }],
      consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 1_000_000, acknowledgeMode: "SESSION_TRANSACTED", messagesPerTransaction: 20 }],
      faults: [],
      faultPhaseNs: 5 * S,
      convergeNsMax: 60 * S,
      checks: { checks: ["lost", "lost-effects", "duplicated-effects"] },
    });
    expect(result.checks.filter((candidate) => !candidate.ok)).toEqual([]);
    expect(result.liveness.isConverged).toBe(true);
  });

  it("exponential back-off: the redeliveries of a failing message wait initialRedeliveryDelay, then ×backOffMultiplier each time up to maximumRedeliveryDelay", () => {
    const redeliveryPolicy = { ...REDELIVERY_POLICY_DEFAULTS, initialRedeliveryDelay: 100, useExponentialBackOff: true, backOffMultiplier: 2, maximumRedeliveryDelay: 1_000 };
    const result = runFailing({ redeliveryPolicy });
    const firstPoison = sentIds(result).find((id) => id % 50 === 0)!;
    const times = result.history.events.flatMap((event) => (event.type === "deliver" && event.idFirst === firstPoison ? [event.timeNs] : []));
    const gapsMs = times.slice(1).map((timeNs, k) => Math.round((timeNs - times[k]!) / 1_000_000));
    // Each gap is the delay plus the 1 ms the listener takes.
    expect(gapsMs).toEqual([101, 201, 401, 801, 1_001, 1_001]);
  });
});

describe("the connection's duplicate audit across a reconnection", () => {
  it("the broker gives again what the consumer processed while cut off (its acks lost): the audit turns those away with a poison ack, to the DLQ; without it they are applied twice", () => {
    const audited = runPartitioned({});
    const plain = runPartitioned({ checkForDuplicates: false });
    const suppressed = mark(audited, "activemq.consumer.duplicate-suppressed");
    expect(suppressed).toBeGreaterThan(0);
    expect(mark(audited, "activemq.broker.dead-lettered")).toBe(suppressed);
    expect(violationIds(plain, "duplicated-effects")).toHaveLength(suppressed);
    expect(check(audited, "duplicated-effects").ok).toBe(true);
    expect(check(plain, "duplicated-effects").ok).toBe(false);
    expect(mark(plain, "activemq.consumer.duplicate-suppressed")).toBe(0);
    for (const result of [audited, plain]) {
      expect(check(result, "lost").ok).toBe(true);
      expect(result.liveness.isConverged).toBe(true);
    }
  });

  it("CLIENT_ACKNOWLEDGE: the messages consumed since the last acknowledge() leave the audit when the transport drops, so the application gets them again from the restarted broker", () => {
    const run = (consumer: ConsumerOptions) =>
      runActiveMq({
        seed: 5,
        cluster: { brokers: ["b1"], queues: ["orders"], disk: "nvme" },
        producers: [{ name: "p1", destination: "orders", messagesPerSecond: 100, bodyBytes: 512 }],
        consumers: [{ name: "c1", destination: "orders", processNsPerMessage: 2_000_000, ...consumer }],
        faults: [
          { atNs: 4.5 * S, verb: "processCrash", node: "b1" },
          { atNs: 5 * S, verb: "restart", node: "b1" },
        ],
        faultPhaseNs: 10 * S,
        convergeNsMax: 120 * S,
        checks: { checks: ["lost", "lost-effects", "duplicated-effects"] },
      });
    const clientAck = run({ acknowledgeMode: "CLIENT_ACKNOWLEDGE", acknowledgeEvery: 50 });
    const redone = violationIds(clientAck, "duplicated-effects");
    expect(redone.length).toBeGreaterThan(0);
    expect(redone.length).toBeLessThan(50);
    expect(mark(clientAck, "activemq.consumer.duplicate-suppressed")).toBe(0);
    for (const result of [clientAck, run({})]) {
      expect(check(result, "lost").ok).toBe(true);
      expect(result.liveness.isConverged).toBe(true);
    }
  });
});
