/**
 * The producer application and its synchronous send() against stub brokers
 * (producer-world.test-support.ts): queue choice, retries and their
 * deadlines, the statuses send() returns, and what the History records.
 */
import { describe, expect, it } from "vitest";
import { buildSendIndex, OUTCOME_OK, OUTCOME_UNKNOWN } from "../../checks/send-index.js";
import type { SendMessageRequest } from "./broker-protocol.js";
import { rocketStream } from "./producer.js";
import { allSends, answer, attemptsOf, eventsOf, MS, producerWorld, QUEUES_PER_BROKER, SEC, silence, TOPIC, twoBrokerRoute, type ProducerWorld, type SendBehaviour } from "./producer-world.test-support.js";

/** The publish queues in the order the producer cycles through them (brokerName, then queueId). */
const CYCLE = ["broker-a", "broker-b"].flatMap((brokerName) => Array.from({ length: QUEUES_PER_BROKER }, (_, queueId) => `${brokerName}-${queueId}`));

function queueName(send: { brokerName: string; request: SendMessageRequest }): string {
  return `${send.brokerName}-${send.request.queueId}`;
}

/** The history's send record of message `idFirst` (the first one, if it was resent). */
function sendTimeOf(pw: ProducerWorld, idFirst: number): number {
  return eventsOf(pw.history, "send").find((event) => event.idFirst === idFirst)!.timeNs;
}

function resultOf(pw: ProducerWorld, idFirst: number) {
  return eventsOf(pw.history, "send-result").filter((event) => event.idFirst === idFirst);
}

/** Ids of the sends whose first attempt went to `brokerName`. */
function firstAttemptsOn(pw: ProducerWorld, brokerName: string): number[] {
  return allSends(pw)
    .filter((send) => send.request.attempt === 0 && send.brokerName === brokerName)
    .map((send) => send.request.idFirst);
}

describe("RocketProducer: choosing queues", () => {
  it("goes round robin over both brokers' queues, one step per send, from a start drawn from the seed", () => {
    const pw = producerWorld({ workload: { messagesPerSecond: 10 }, stopNs: 2 * SEC });
    pw.runTo(3 * SEC);
    const received = allSends(pw);
    expect(received).toHaveLength(20);
    const order = received.map(queueName);
    for (let k = 1; k < order.length; k++) expect(CYCLE.indexOf(order[k]!)).toBe((CYCLE.indexOf(order[k - 1]!) + 1) % CYCLE.length);
    expect(received.map((send) => send.request.idFirst)).toEqual(Array.from({ length: 20 }, (_, id) => id));
    const firstQueues = [1, 2, 3, 4, 5, 6].map((seed) => {
      const other = producerWorld({ seed, stopNs: 1 });
      other.runTo(SEC);
      return queueName(allSends(other)[0]!);
    });
    expect(new Set(firstQueues).size).toBeGreaterThan(1);
  });

  it("records each SEND_OK at its queue's stream and offset, with the broker that stored it", () => {
    const pw = producerWorld({ workload: { messagesPerSecond: 30, messagesPerSend: 3 }, stopNs: 2 * SEC });
    pw.runTo(3 * SEC);
    const received = allSends(pw);
    const results = eventsOf(pw.history, "send-result");
    expect(results).toHaveLength(20);
    expect(received.every((send) => send.request.count === 3 && send.request.idFirst % 3 === 0)).toBe(true);
    for (const send of received) {
      const [result] = resultOf(pw, send.request.idFirst);
      expect(result).toMatchObject({ outcome: "ok", count: 3, stream: rocketStream(TOPIC, send.brokerName, send.request.queueId), position: send.queueOffset, error: "", server: send.brokerName === "broker-a" ? "b1" : "b2" });
    }
    // A batch takes consecutive offsets: 20 sends of 3 over 8 queues leave offsets of 6 or 9.
    expect([...pw.a.nextOffsets.values(), ...pw.b.nextOffsets.values()].sort((x, y) => x - y)).toEqual([6, 6, 6, 6, 9, 9, 9, 9]);
  });
});

describe("RocketProducer: routes and restarts", () => {
  it("follows a route that changes: a broker group gone from the route gets no more sends or heartbeats", () => {
    const pw = producerWorld({ workload: { messagesPerSecond: 4, config: { pollNameServerInterval: 1_000, heartbeatBrokerInterval: 1_000 } } });
    pw.runTo(2_500 * MS);
    const route = twoBrokerRoute();
    pw.nameServer.route = { queueDatas: route.queueDatas.slice(0, 1), brokerDatas: route.brokerDatas.slice(0, 1) };
    pw.runTo(6 * SEC);
    // The poll at 3.01 s brings the new route.
    const later = allSends(pw).filter((send) => send.request.bornNs > 3_100 * MS);
    expect(later.length).toBeGreaterThan(10);
    expect(later.every((send) => send.brokerName === "broker-a")).toBe(true);
    expect(pw.b.heartbeats.filter((beat) => beat.atNs > 3_100 * MS)).toEqual([]);
    expect(pw.a.heartbeats.filter((beat) => beat.atNs > 3_100 * MS).length).toBeGreaterThan(1);
  });

  it("starts afresh after a restart: new ids, the route asked again, a new client id", () => {
    const pw = producerWorld({ stopNs: 10 * SEC });
    pw.runTo(2_500 * MS);
    pw.world.processCrash("p");
    expect(pw.producer.isIdle()).toBe(true);
    pw.runTo(3 * SEC);
    pw.world.restart("p");
    pw.runTo(5_500 * MS);
    expect(eventsOf(pw.history, "send").map((event) => [event.idFirst, event.timeNs])).toEqual([
      [0, 0],
      [1, SEC],
      [2, 2 * SEC],
      [3, 3 * SEC],
      [4, 4 * SEC],
      [5, 5 * SEC],
    ]);
    expect(eventsOf(pw.history, "send-result").map((event) => event.outcome)).toEqual(Array(6).fill("ok"));
    expect(pw.nameServer.queries.filter((atNs) => atNs >= 3 * SEC && atNs < 3 * SEC + MS)).toHaveLength(1);
    expect(pw.a.heartbeats.at(-1)!.request.clientId).toBe("p@2");
  });
});

describe("RocketProducer: retries", () => {
  it("retries a timed-out attempt at once on the other broker (sendMsgMaxTimeoutPerRequest)", () => {
    const pw = producerWorld({ a: silence, workload: { messagesPerSecond: 0.25, config: { sendMsgMaxTimeoutPerRequest: 1000 } }, stopNs: 32 * SEC });
    pw.runTo(40 * SEC);
    const retried = firstAttemptsOn(pw, "broker-a");
    expect(retried.length).toBeGreaterThan(0);
    for (const id of retried) {
      const [first, second, ...more] = attemptsOf(pw, id);
      expect(more).toEqual([]);
      expect(second!.brokerName).toBe("broker-b");
      expect(second!.request.attempt).toBe(1);
      expect(second!.request.bornNs).toBe(first!.request.bornNs + SEC);
      expect(resultOf(pw, id)).toMatchObject([{ outcome: "ok", stream: rocketStream(TOPIC, "broker-b", second!.request.queueId), server: "b2" }]);
    }
    expect(pw.kernel.marks.count("rocketmq.producer.request-timeout")).toBe(retried.length);
  });

  it("stops at sendMsgTimeout: a silent broker takes the whole timeout and leaves the send unknown", () => {
    const pw = producerWorld({ a: silence, workload: { messagesPerSecond: 0.25 }, stopNs: 32 * SEC });
    pw.runTo(40 * SEC);
    const timedOut = firstAttemptsOn(pw, "broker-a");
    expect(timedOut.length).toBeGreaterThan(0);
    for (const id of timedOut) {
      expect(attemptsOf(pw, id)).toHaveLength(1);
      const [result] = resultOf(pw, id);
      expect(result).toMatchObject({ outcome: "unknown", error: "TIMEOUT", position: -1 });
      expect(result!.timeNs).toBe(sendTimeOf(pw, id) + 3 * SEC);
    }
  });

  it("gives a later attempt only what is left of sendMsgTimeout, and makes no attempt past it", () => {
    const pw = producerWorld({ a: silence, b: silence, workload: { messagesPerSecond: 0.1, config: { sendMsgMaxTimeoutPerRequest: 2000 } }, stopNs: 1 });
    pw.runTo(10 * SEC);
    const attempts = attemptsOf(pw, 0);
    expect(attempts.map((send) => send.request.attempt)).toEqual([0, 1]);
    expect(attempts[1]!.brokerName).not.toBe(attempts[0]!.brokerName);
    expect(attempts[1]!.request.bornNs).toBe(attempts[0]!.request.bornNs + 2 * SEC);
    expect(resultOf(pw, 0)).toMatchObject([{ outcome: "unknown", error: "TIMEOUT", timeNs: 3 * SEC }]);
  });

  it("closes the connection at a timeout, failing the other request on it, which is retried at once", () => {
    const route = twoBrokerRoute();
    const onlyA = { queueDatas: route.queueDatas.slice(0, 1), brokerDatas: route.brokerDatas.slice(0, 1) };
    // Message 0's first attempt is never answered; message 1's, on the same connection, would be after 1.5 s.
    const silentFirst: SendBehaviour = (request) => (request.idFirst === 0 && request.attempt === 0 ? "silence" : "SUCCESS");
    const pw = producerWorld({ route: onlyA, a: silentFirst, workload: { messagesPerSecond: 1000, senderThreads: 2, config: { sendMsgMaxTimeoutPerRequest: 1000 } }, stopNs: 2 * MS });
    pw.a.replyDelayNs = (request) => (request.idFirst === 1 && request.attempt === 0 ? 1_500 * MS : 0);
    pw.runTo(5 * SEC);
    const [timedOut] = attemptsOf(pw, 0);
    const other = attemptsOf(pw, 1);
    expect(other.map((send) => send.request.attempt)).toEqual([0, 1]);
    expect(other[1]!.request.bornNs).toBe(timedOut!.request.bornNs + SEC);
    expect(resultOf(pw, 0)).toMatchObject([{ outcome: "ok" }]);
    expect(resultOf(pw, 1)).toMatchObject([{ outcome: "ok" }]);
    expect(eventsOf(pw.history, "op-failed").map((event) => event.error)).toEqual(["TIMEOUT", "CONNECTION_LOST"]);
    expect(pw.a.closes).toBe(1);
  });

  it("retries a refusal at once on the other broker, and a send refused everywhere is an error", () => {
    const busyA = producerWorld({ a: answer("SYSTEM_BUSY"), workload: { messagesPerSecond: 0.5 }, stopNs: 8 * SEC });
    busyA.runTo(10 * SEC);
    for (const id of firstAttemptsOn(busyA, "broker-a")) {
      expect(attemptsOf(busyA, id).map((send) => send.brokerName)).toEqual(["broker-a", "broker-b"]);
      expect(resultOf(busyA, id)).toMatchObject([{ outcome: "ok", server: "b2" }]);
    }
    const refused = producerWorld({ a: answer("SERVICE_NOT_AVAILABLE"), b: answer("SERVICE_NOT_AVAILABLE"), stopNs: 1 });
    refused.runTo(SEC);
    const brokers = attemptsOf(refused, 0).map((send) => send.brokerName);
    expect(brokers).toHaveLength(3);
    expect(brokers[1]).not.toBe(brokers[0]);
    expect(brokers[2]).toBe(brokers[0]);
    expect(resultOf(refused, 0)).toMatchObject([{ outcome: "error", error: "SERVICE_NOT_AVAILABLE", position: -1 }]);
  });

  it("calls a send error when no connection opened, unknown when a written request's connection broke", () => {
    const down = producerWorld({ stopNs: 1 });
    down.world.processCrash("b1");
    down.world.processCrash("b2");
    down.runTo(SEC);
    expect(resultOf(down, 0)).toMatchObject([{ outcome: "error", error: "CONNECT_FAILED" }]);
    const broken = producerWorld({ a: silence, b: silence, stopNs: 1 });
    broken.runTo(100 * MS);
    const [first] = attemptsOf(broken, 0);
    broken.world.processCrash(first!.brokerName === "broker-a" ? "b1" : "b2");
    broken.world.processCrash(first!.brokerName === "broker-a" ? "b2" : "b1");
    broken.runTo(SEC);
    expect(resultOf(broken, 0)).toMatchObject([{ outcome: "unknown", error: "CONNECTION_LOST" }]);
    expect(eventsOf(broken.history, "op-failed").map((event) => event.error)).toEqual(["CONNECTION_LOST", "CONNECT_FAILED", "CONNECT_FAILED"]);
  });
});

describe("RocketProducer: statuses other than SEND_OK", () => {
  it("returns FLUSH_SLAVE_TIMEOUT without retrying: unknown, at the offset the master stored it", () => {
    const pw = producerWorld({ a: answer("FLUSH_SLAVE_TIMEOUT"), b: answer("FLUSH_SLAVE_TIMEOUT"), stopNs: 3 * SEC });
    pw.runTo(4 * SEC);
    const received = allSends(pw);
    expect(received).toHaveLength(3);
    for (const send of received) {
      expect(send.request.attempt).toBe(0);
      expect(resultOf(pw, send.request.idFirst)).toMatchObject([
        { outcome: "unknown", error: "FLUSH_SLAVE_TIMEOUT", stream: rocketStream(TOPIC, send.brokerName, send.request.queueId), position: send.queueOffset },
      ]);
    }
    expect(eventsOf(pw.history, "op-failed").map((event) => event.error)).toEqual(["FLUSH_SLAVE_TIMEOUT", "FLUSH_SLAVE_TIMEOUT", "FLUSH_SLAVE_TIMEOUT"]);
  });

  it("retries it on another broker with retryAnotherBrokerWhenNotStoreOK, returning the last status when none is SEND_OK", () => {
    const config = { retryAnotherBrokerWhenNotStoreOK: true };
    const mixed = producerWorld({ a: answer("FLUSH_SLAVE_TIMEOUT"), workload: { config }, stopNs: 6 * SEC });
    mixed.runTo(7 * SEC);
    const retried = firstAttemptsOn(mixed, "broker-a");
    expect(retried.length).toBeGreaterThan(0);
    for (const id of retried) {
      expect(attemptsOf(mixed, id).map((send) => send.brokerName)).toEqual(["broker-a", "broker-b"]);
      expect(resultOf(mixed, id)).toMatchObject([{ outcome: "ok", server: "b2" }]);
    }
    const never = producerWorld({ a: answer("FLUSH_DISK_TIMEOUT"), b: answer("FLUSH_DISK_TIMEOUT"), workload: { config }, stopNs: 1 });
    never.runTo(SEC);
    const attempts = attemptsOf(never, 0);
    expect(attempts).toHaveLength(3);
    const last = attempts[2]!;
    expect(resultOf(never, 0)).toMatchObject([{ outcome: "unknown", error: "FLUSH_DISK_TIMEOUT", stream: rocketStream(TOPIC, last.brokerName, last.request.queueId), position: last.queueOffset }]);
  });
});

describe("RocketProducer: the History", () => {
  it("writes a send when send() is called and a send-result when it returns, op-failed and op-ok around failures", () => {
    const pw = producerWorld({ a: answer("SYSTEM_BUSY"), workload: { messagesPerSecond: 2 }, stopNs: 4 * SEC });
    pw.runTo(5 * SEC);
    const sends = eventsOf(pw.history, "send");
    expect(sends.map((event) => [event.idFirst, event.count, event.timeNs])).toEqual(Array.from({ length: 8 }, (_, id) => [id, 1, id * 500 * MS]));
    const results = eventsOf(pw.history, "send-result");
    expect(results.map((event) => event.outcome)).toEqual(Array(8).fill("ok"));
    const busy = firstAttemptsOn(pw, "broker-a").length;
    expect(busy).toBeGreaterThan(0);
    expect(eventsOf(pw.history, "op-failed")).toHaveLength(busy);
    expect(eventsOf(pw.history, "op-failed").every((event) => event.error === "SYSTEM_BUSY")).toBe(true);
    // Each refusal was followed by a success on broker-b, closing its window.
    expect(eventsOf(pw.history, "op-ok")).toHaveLength(busy);
  });

  it("waits for the route at the first send, asking the NameServer at once; without one the send is an error", () => {
    const pw = producerWorld({ stopNs: 1 });
    pw.runTo(SEC);
    // Asked at the send, not at the poller's first tick (10 ms after start, which asks again).
    expect(pw.nameServer.queries[0]).toBeLessThan(MS);
    const firstAttemptNs = allSends(pw)[0]!.request.bornNs;
    expect(firstAttemptNs).toBeGreaterThan(pw.nameServer.queries[0]!);
    expect(firstAttemptNs).toBeLessThan(MS);
    expect(resultOf(pw, 0)).toMatchObject([{ outcome: "ok" }]);
    const noRoute = producerWorld({ route: null, stopNs: 1 });
    noRoute.runTo(5 * SEC);
    expect(allSends(noRoute)).toEqual([]);
    expect(resultOf(noRoute, 0)).toMatchObject([{ outcome: "error", error: "NO_TOPIC_ROUTE_INFO", timeNs: 3 * SEC, stream: TOPIC }]);
  });

  it("lets sender threads call send() concurrently, queues the rest, and drops the queue at stopNs", () => {
    const pw = producerWorld({ workload: { messagesPerSecond: 100, senderThreads: 2 }, stopNs: 200 * MS });
    pw.a.replyDelayNs = 50 * MS;
    pw.b.replyDelayNs = 50 * MS;
    pw.runTo(100 * MS);
    expect(pw.producer.isIdle()).toBe(false);
    pw.runTo(SEC);
    expect(pw.producer.isIdle()).toBe(true);
    const events = pw.history.events.filter((event) => event.type === "send" || event.type === "send-result");
    let inSend = 0;
    let most = 0;
    for (const event of events) {
      inSend += event.type === "send" ? 1 : -1;
      most = Math.max(most, inSend);
    }
    expect(most).toBe(2);
    const sends = eventsOf(pw.history, "send");
    expect(sends.length).toBeGreaterThan(4);
    expect(sends.length).toBeLessThan(20);
    expect(sends.every((event) => event.timeNs < 200 * MS)).toBe(true);
    expect(eventsOf(pw.history, "send-result")).toHaveLength(sends.length);
    // A queued message is taken by the thread that just returned, at that moment.
    const results = eventsOf(pw.history, "send-result");
    expect(sends[2]!.timeNs).toBe(results[0]!.timeNs);
  });
});

describe("RocketProducer: resendOnNotOk", () => {
  /** FLUSH_SLAVE_TIMEOUT the first time a message reaches either broker, SUCCESS after. */
  function firstTimeNotOk(): SendBehaviour {
    const seen = new Set<number>();
    return (request) => {
      const isFirst = !seen.has(request.idFirst);
      seen.add(request.idFirst);
      return isFirst ? "FLUSH_SLAVE_TIMEOUT" : "SUCCESS";
    };
  }

  it("sends the same ids again after a non-SEND_OK status, which the checks count as acknowledged", () => {
    const behaviour = firstTimeNotOk();
    const pw = producerWorld({ a: behaviour, b: behaviour, workload: { resendOnNotOk: true }, stopNs: 2 * SEC });
    pw.runTo(3 * SEC);
    const records = pw.history.events.filter((event) => event.type === "send" || event.type === "send-result");
    expect(records.map((event) => [event.type, event.idFirst, event.type === "send-result" ? event.outcome : ""])).toEqual([
      ["send", 0, ""],
      ["send-result", 0, "unknown"],
      ["send", 0, ""],
      ["send-result", 0, "ok"],
      ["send", 1, ""],
      ["send-result", 1, "unknown"],
      ["send", 1, ""],
      ["send-result", 1, "ok"],
    ]);
    // Each message is stored twice (a possible duplicate for the consumers), and acknowledged once.
    expect(allSends(pw).filter((send) => send.queueOffset >= 0).map((send) => send.request.idFirst)).toEqual([0, 0, 1, 1]);
    const index = buildSendIndex(pw.history);
    expect(index.acked).toBe(2);
    expect(index.flags[0]! & (OUTCOME_OK | OUTCOME_UNKNOWN)).toBe(OUTCOME_OK | OUTCOME_UNKNOWN);
  });

  it("does not resend by default, nor after stopNs", () => {
    const behaviour = firstTimeNotOk();
    const plain = producerWorld({ a: behaviour, b: behaviour, stopNs: 2 * SEC });
    plain.runTo(3 * SEC);
    expect(eventsOf(plain.history, "send").map((event) => event.idFirst)).toEqual([0, 1]);
    expect(eventsOf(plain.history, "send-result").map((event) => event.outcome)).toEqual(["unknown", "unknown"]);
    const always = producerWorld({ a: answer("FLUSH_SLAVE_TIMEOUT"), b: answer("FLUSH_SLAVE_TIMEOUT"), workload: { resendOnNotOk: true }, stopNs: 50 * MS });
    always.runTo(SEC);
    const sends = eventsOf(always.history, "send");
    expect(sends.length).toBeGreaterThan(10);
    expect(sends.every((event) => event.idFirst === 0 && event.timeNs < 50 * MS)).toBe(true);
    expect(always.producer.isIdle()).toBe(true);
  });
});

describe("RocketProducer: heartbeats", () => {
  it("heartbeats every master 1 s after start and then every heartbeatBrokerInterval, without consumer groups", () => {
    const pw = producerWorld({ workload: { config: { heartbeatBrokerInterval: 5_000 } } });
    pw.runTo(12 * SEC);
    for (const broker of [pw.a, pw.b]) {
      expect(broker.heartbeats.map((beat) => Math.floor(beat.atNs / MS))).toEqual([1_000, 6_000, 11_000]);
      expect(broker.heartbeats.every((beat) => beat.request.clientId === "p@1" && beat.request.consumerGroups.length === 0)).toBe(true);
    }
    // One broker at a time: broker-b's after broker-a's answer.
    expect(pw.b.heartbeats[0]!.atNs).toBeGreaterThan(pw.a.heartbeats[0]!.atNs);
  });
});
