/**
 * Clean histories for the checker properties, and single defects to inject
 * into them. A clean history comes from a perfect broker: producers send
 * batches, each batch that is written ("ok", or "unknown" but written) is
 * appended to its stream at once, some acknowledgements arrive late, each
 * group's one consumer reads every stream in order, once, with an effect per
 * delivery, and a final drain reads the rest. Every checker must pass it.
 */
import fc from "fast-check";
import { History, type HistoryEvent } from "../src/history/history.js";
import type { FinalLog, LogEntry, ReplicaSnapshot } from "../src/checks/log-snapshot.js";
import { NS_PER_MS } from "../src/kernel/time.js";

type Written = "ok" | "error" | "unknown-written" | "unknown-lost";

type Step =
  | { kind: "send"; producer: number; stream: number; count: number; written: Written; ackLate: boolean }
  | { kind: "flush-acks" }
  | { kind: "read"; group: number; stream: number; max: number }
  | { kind: "blip"; producer: number };

export interface Plan {
  groups: number;
  streams: number;
  steps: Step[];
}

const PRODUCERS = 3;
const STREAMS_MAX = 3;
const GROUPS_MAX = 2;

const sendArbitrary = fc.record({
  kind: fc.constant("send" as const),
  producer: fc.nat(PRODUCERS - 1),
  stream: fc.nat(STREAMS_MAX - 1),
  count: fc.integer({ min: 1, max: 4 }),
  written: fc.constantFrom<Written>("ok", "ok", "ok", "error", "unknown-written", "unknown-lost"),
  ackLate: fc.boolean(),
});

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: sendArbitrary },
  { weight: 1, arbitrary: fc.constant({ kind: "flush-acks" as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("read" as const),
      group: fc.nat(GROUPS_MAX - 1),
      stream: fc.nat(STREAMS_MAX - 1),
      max: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("blip" as const), producer: fc.nat(PRODUCERS - 1) }) },
);

/** The first step is an acknowledged batch of at least two messages, so every defect has a target. */
export const planArbitrary: fc.Arbitrary<Plan> = fc.record({
  groups: fc.integer({ min: 1, max: GROUPS_MAX }),
  streams: fc.integer({ min: 1, max: STREAMS_MAX }),
  steps: fc
    .tuple(
      sendArbitrary.map((s) => ({ ...s, count: Math.max(2, s.count), written: "ok" as const, ackLate: false })),
      fc.array(stepArbitrary, { maxLength: 40 }),
    )
    .map(([first, rest]) => [first, ...rest]),
});

interface Batch extends LogEntry {
  producer: number;
}

export interface Rendered {
  events: HistoryEvent[];
  idLimit: number;
  logs: Batch[][];
  streamNames: string[];
  groupNames: string[];
}

const streamName = (s: number): string => `topic-${s}`;
const producerName = (p: number): string => `p${p}`;
const consumerName = (g: number): string => `c${g}`;
const groupName = (g: number): string => `g${g}`;

/** The answer a producer sees for a send whose write went as `written` says. */
function sendResult(written: Written, send: { timeNs: number; client: string; idFirst: number; count: number; stream: string; position: number }): HistoryEvent {
  const outcome = written === "ok" ? "ok" : written === "error" ? "error" : "unknown";
  const error = outcome === "ok" ? "" : outcome === "error" ? "NOT_ENOUGH_REPLICAS" : "TIMEOUT";
  return { type: "send-result", ...send, outcome, position: outcome === "ok" ? send.position : -1, error };
}

export function render(plan: Plan): Rendered {
  const events: HistoryEvent[] = [];
  let idNext = 0;
  const now = (): number => events.length * NS_PER_MS;
  const logs: Batch[][] = Array.from({ length: plan.streams }, () => []);
  const logLength = (s: number): number => {
    const last = logs[s]![logs[s]!.length - 1];
    return last === undefined ? 0 : last.position + last.count;
  };
  /** Per group, per stream: the next position to read. */
  const cursors = Array.from({ length: plan.groups }, () => new Array<number>(plan.streams).fill(0));
  const pendingAcks: HistoryEvent[] = [];
  const flushAcks = (): void => {
    for (const ack of pendingAcks.splice(0)) events.push({ ...ack, timeNs: now() });
  };

  const read = (g: number, s: number, max: number): void => {
    const position = cursors[g]![s]!;
    const batch = logs[s]!.find((b) => b.position <= position && position < b.position + b.count);
    if (batch === undefined) return;
    // A delivery never spans batches: ids are consecutive only within one.
    const count = Math.min(max, batch.position + batch.count - position);
    const idFirst = batch.idFirst + (position - batch.position);
    const client = consumerName(g);
    const group = groupName(g);
    events.push({ type: "deliver", timeNs: now(), client, group, stream: streamName(s), position, idFirst, count });
    events.push({ type: "effect", timeNs: now(), client, group, idFirst, count });
    cursors[g]![s] = position + count;
  };

  for (const step of plan.steps) {
    if (step.kind === "send") {
      const s = step.stream % plan.streams;
      const client = producerName(step.producer);
      const idFirst = idNext;
      idNext += step.count;
      events.push({ type: "send", timeNs: now(), client, idFirst, count: step.count });
      let position = -1;
      if (step.written === "ok" || step.written === "unknown-written") {
        position = logLength(s);
        logs[s]!.push({ position, idFirst, count: step.count, producer: step.producer });
      }
      const result = sendResult(step.written, { timeNs: now(), client, idFirst, count: step.count, stream: streamName(s), position });
      if (step.ackLate) pendingAcks.push(result);
      else events.push(result);
    } else if (step.kind === "flush-acks") flushAcks();
    else if (step.kind === "read") read(step.group % plan.groups, step.stream % plan.streams, step.max);
    else {
      const client = producerName(step.producer);
      events.push({ type: "op-failed", timeNs: now(), client, op: "send", error: "TIMEOUT" });
      events.push({ type: "op-ok", timeNs: now(), client, op: "send" });
    }
  }
  flushAcks();
  // The final drain.
  for (let g = 0; g < plan.groups; g++) {
    for (let s = 0; s < plan.streams; s++) while (cursors[g]![s]! < logLength(s)) read(g, s, 5);
  }
  return {
    events,
    idLimit: idNext,
    logs,
    streamNames: logs.map((_, s) => streamName(s)),
    groupNames: cursors.map((_, g) => groupName(g)),
  };
}

export function toHistory(events: readonly HistoryEvent[], idLimit: number): History {
  const history = new History();
  if (idLimit > 0) history.reserveIds(idLimit);
  for (const event of events) history.record(event);
  return history;
}

export function replicasOf(r: Rendered): ReplicaSnapshot[] {
  return r.logs.flatMap((log, s) =>
    ["b1", "b2", "b3"].map((replica) => ({
      stream: streamName(s),
      replica,
      entries: log.map(entryOf),
      committedEnd: endOf(log),
    })),
  );
}

export function finalLogsOf(r: Rendered): FinalLog[] {
  return r.logs.map((log, s) => ({ stream: streamName(s), entries: log.map(entryOf) }));
}

function entryOf(b: Batch): LogEntry {
  return { position: b.position, idFirst: b.idFirst, count: b.count };
}

function endOf(log: readonly Batch[]): number {
  const last = log[log.length - 1];
  return last === undefined ? 0 : last.position + last.count;
}
