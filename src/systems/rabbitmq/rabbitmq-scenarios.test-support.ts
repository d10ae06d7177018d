/**
 * Shared pieces of the RabbitMQ scenario tests: a run spec with sensible
 * defaults (one durable classic queue "q" homed on r1, a confirming
 * publisher, no consumer) and readers for what the tests assert on (check
 * counts, unavailability windows, inter-node bytes, send outcomes).
 */
import type { CheckResult } from "../../checks/violation.js";
import type { UnavailabilityResult, UnavailabilityWindow } from "../../checks/unavailability.js";
import type { SendOutcome } from "../../history/history.js";
import type { RabbitConsumerWorkload } from "./consumer.js";
import { CLUSTER_TRAFFIC } from "./node-link.js";
import type { RabbitPublisherWorkload } from "./publisher.js";
import type { RabbitRunResult, RabbitRunSpec } from "./run.js";

export const SECOND = 1_000_000_000;
export const MS = 1_000_000;

export function publisher(overrides: Partial<RabbitPublisherWorkload> = {}): RabbitPublisherWorkload {
  return { name: "p1", exchange: "", routingKey: "q", mode: "confirm", ratePerSec: 200, messageBytes: 1000, batch: 1, persistent: true, inFlightMax: 100, ...overrides };
}

export function consumer(overrides: Partial<RabbitConsumerWorkload> = {}): RabbitConsumerWorkload {
  return { name: "c1", queue: "q", prefetch: 20, autoAck: false, processNsPerMessage: 2 * MS, ...overrides };
}

export function rabbitSpec(overrides: Partial<RabbitRunSpec> = {}): RabbitRunSpec {
  return {
    seed: 1,
    cluster: { nodes: 1, queues: [{ name: "q", type: "classic", durable: true, node: "r1" }] },
    publishers: [publisher()],
    consumers: [],
    faults: [],
    faultPhaseNs: 10 * SECOND,
    convergeNsMax: 30 * SECOND,
    ...overrides,
  };
}

export function check(result: RabbitRunResult, name: CheckResult["check"]): CheckResult {
  const found = result.checks.find((c) => c.check === name);
  if (found === undefined) throw new Error(`no ${name} check in the run`);
  return found;
}

export function count(result: RabbitRunResult, name: CheckResult["check"], key: string): number {
  const value = check(result, name).counts[key];
  if (value === undefined) throw new Error(`check ${name} has no count ${key}`);
  return value;
}

/** The windows of one client's op that opened at or after `fromNs` (the run's start-up connect is earlier). */
export function windowsOf(result: RabbitRunResult, client: string, op: "send" | "receive", fromNs = 0): UnavailabilityWindow[] {
  const unavailability = check(result, "unavailability") as UnavailabilityResult;
  return unavailability.windows.filter((w) => w.client === client && w.op === op && w.startNs >= fromNs);
}

/** Wire bytes in the "cluster" traffic class (Erlang distribution), optionally on one directed link. */
export function clusterBytes(result: RabbitRunResult, from?: string, to?: string): number {
  return result.cluster.world
    .links()
    .filter((l) => l.trafficClass === CLUSTER_TRAFFIC && (from === undefined || l.from === from) && (to === undefined || l.to === to))
    .reduce((sum, l) => sum + l.bytes, 0);
}

/** Messages delivered to one client (repeats included). */
export function delivered(result: RabbitRunResult, client: string): number {
  let total = 0;
  for (const e of result.history.events) if (e.type === "deliver" && e.client === client) total += e.count;
  return total;
}

/** Messages whose send ended with this outcome (and error name, when given). */
export function sendResults(result: RabbitRunResult, outcome: SendOutcome, error?: string): number {
  let total = 0;
  for (const e of result.history.events) if (e.type === "send-result" && e.outcome === outcome && (error === undefined || e.error === error)) total += e.count;
  return total;
}

export function marked(result: RabbitRunResult, mark: string): number {
  return result.marks.find(([name]) => name === mark)?.[1] ?? 0;
}
