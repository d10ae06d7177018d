/**
 * The checkers against generated histories: a clean history (a perfect
 * broker, consumers that read everything once and in order) passes every
 * checker; the same history with one injected defect fails the checker meant
 * to catch it. A checker that cannot fail is a defect.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { HistoryEvent } from "../src/history/history.js";
import type { FinalLog, LogEntry, ReplicaSnapshot } from "../src/checks/log-snapshot.js";
import { formatCheckResults, runChecks } from "../src/checks/run-checks.js";
import type { CheckerName } from "../src/checks/violation.js";
import { finalLogsOf, planArbitrary, render, replicasOf, toHistory, type Rendered } from "./checks-history.js";

interface Case {
  groups: string[];
  events: HistoryEvent[];
  idLimit: number;
  replicas: ReplicaSnapshot[];
  finalLogs: FinalLog[];
}

type Deliver = Extract<HistoryEvent, { type: "deliver" }>;

const DEFECTS = {
  "drop-delivery": { catches: "lost", inject: dropDelivery },
  "drop-effect": { catches: "lost-effects", inject: dropEffect },
  "duplicate-delivery": { catches: "duplicated", inject: (r: Rendered, pick: number) => repeatEvent(r, pick, "deliver") },
  "duplicate-effect": { catches: "duplicated-effects", inject: (r: Rendered, pick: number) => repeatEvent(r, pick, "effect") },
  "swap-two": { catches: "reordered", inject: swapTwo },
  "change-id": { catches: "inconsistent-offsets", inject: changeId },
  "rewind": { catches: "monotonic", inject: rewind },
  "phantom": { catches: "unexpected", inject: phantom },
  "diverge-replica": { catches: "divergence", inject: divergeReplica },
  "truncate-final-log": { catches: "dirty-read", inject: truncateFinalLog },
} satisfies Record<string, { catches: CheckerName; inject: (r: Rendered, pick: number) => Case }>;

type DefectName = keyof typeof DEFECTS;
const DEFECT_NAMES = Object.keys(DEFECTS) as DefectName[];

function cleanCase(r: Rendered): Case {
  return { groups: r.groupNames, events: [...r.events], idLimit: r.idLimit, replicas: replicasOf(r), finalLogs: finalLogsOf(r) };
}

function check(c: Case) {
  return runChecks(toHistory(c.events, c.idLimit), { replicas: c.replicas, finalLogs: c.finalLogs }, { lost: { groups: c.groups }, lostEffects: { groups: c.groups } });
}

describe("checkers on generated histories", () => {
  it("pass every clean history", () => {
    fc.assert(
      fc.property(planArbitrary, (plan) => {
        const results = check(cleanCase(render(plan)));
        const failed = results.filter((r) => !r.ok);
        if (failed.length > 0) throw new Error(formatCheckResults(failed) + "\n" + JSON.stringify(failed[0]!.violations[0]));
      }),
      { numRuns: 200 },
    );
  });

  it("flag one injected defect with the checker meant to catch it", () => {
    const caught = new Map<DefectName, number>();
    fc.assert(
      fc.property(planArbitrary, fc.constantFrom(...DEFECT_NAMES), fc.nat(), (plan, name, pick) => {
        const defect = DEFECTS[name];
        const broken = defect.inject(render(plan), pick);
        const result = check(broken).find((r) => r.check === defect.catches);
        expect(result, `${name}: ${defect.catches} ran`).toBeDefined();
        expect(result!.ok, `${name} must fail ${defect.catches}`).toBe(false);
        const first = result!.violations[0]!;
        // The reported instant is an event of the history, or its end.
        expect(first.eventIndex).toBeLessThan(broken.events.length);
        expect(first.timeNs).toBe(broken.events[first.eventIndex]?.timeNs ?? 0);
        caught.set(name, (caught.get(name) ?? 0) + 1);
      }),
      { numRuns: 300 },
    );
    for (const name of DEFECT_NAMES) expect(caught.get(name) ?? 0, name).toBeGreaterThan(0);
  });
});

function ackedIds(events: readonly HistoryEvent[]): Set<number> {
  const acked = new Set<number>();
  for (const e of events) {
    if (e.type === "send-result" && e.outcome === "ok") for (let k = 0; k < e.count; k++) acked.add(e.idFirst + k);
  }
  return acked;
}

function indexesOf(events: readonly HistoryEvent[], keep: (e: HistoryEvent) => boolean): number[] {
  const found: number[] = [];
  events.forEach((e, i) => {
    if (keep(e)) found.push(i);
  });
  return found;
}

function chosen<T>(list: readonly T[], pick: number, what: string): T {
  const item = list[pick % Math.max(1, list.length)];
  if (item === undefined) throw new Error(`the generator guarantees a ${what}`);
  return item;
}

/** A delivery carrying an acknowledged message disappears: its group never gets it. */
function dropDelivery(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const acked = ackedIds(c.events);
  const candidates = indexesOf(c.events, (e) => e.type === "deliver" && [...idsOf(e)].some((id) => acked.has(id)));
  c.events.splice(chosen(candidates, pick, "delivery of an acknowledged message"), 1);
  return c;
}

/** A consumer took a batch of acknowledged messages and never applied it (at-most-once). */
function dropEffect(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const acked = ackedIds(c.events);
  const candidates = indexesOf(c.events, (e) => e.type === "effect" && [...idsOf(e)].some((id) => acked.has(id)));
  c.events.splice(chosen(candidates, pick, "effect of an acknowledged message"), 1);
  return c;
}

function repeatEvent(r: Rendered, pick: number, type: "deliver" | "effect"): Case {
  const c = cleanCase(r);
  const at = chosen(indexesOf(c.events, (e) => e.type === type), pick, type);
  c.events.splice(at + 1, 0, { ...c.events[at]! });
  return c;
}

/** Two messages of one batch trade places in one group's view of the stream. */
function swapTwo(r: Rendered, pick: number): Case {
  const batches = r.logs.flatMap((log, s) => log.filter((b) => b.count >= 2).map((b) => ({ b, s })));
  const { b, s } = chosen(batches, pick, "batch of two");
  const k = pick % (b.count - 1);
  const [pa, pb] = [b.position + k, b.position + k + 1 + (pick % (b.count - 1 - k))];
  const group = chosen(r.groupNames, pick, "group");
  const stream = r.streamNames[s]!;
  const c = cleanCase(r);
  c.events = c.events.flatMap((e) =>
    e.type === "deliver" && e.stream === stream && e.group === group
      ? singles(e).map((d) => ({ ...d, idFirst: swapped(d.position, d.idFirst) }))
      : [e],
  );
  return c;

  function swapped(position: number, id: number): number {
    if (position === pa) return b.idFirst + (pb - b.position);
    if (position === pb) return b.idFirst + (pa - b.position);
    return id;
  }
}

/** One delivered position of an acknowledged message carries another id. */
function changeId(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const acked = ackedIds(c.events);
  const candidates = indexesOf(c.events, (e) => e.type === "deliver" && [...idsOf(e)].some((id) => acked.has(id)));
  const at = chosen(candidates, pick, "delivery of an acknowledged message");
  const e = c.events[at] as Deliver;
  const parts = singles(e);
  const part = chosen(parts.filter((d) => acked.has(d.idFirst)), pick, "acknowledged message");
  const other = part.idFirst + 1 < c.idLimit ? part.idFirst + 1 : part.idFirst - 1;
  c.events.splice(at, 1, ...parts.map((d) => (d === part ? { ...d, idFirst: other } : d)));
  return c;
}

/** A consumer reads an earlier delivery again at the end. */
function rewind(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const e = c.events[chosen(indexesOf(c.events, (x) => x.type === "deliver"), pick, "delivery")]!;
  const last = c.events[c.events.length - 1]!;
  c.events.push({ ...e, timeNs: last.timeNs });
  return c;
}

/** A message nobody sent arrives. */
function phantom(r: Rendered): Case {
  const c = cleanCase(r);
  const last = c.events[c.events.length - 1]!;
  c.events.push({ type: "deliver", timeNs: last.timeNs, client: "c0", group: "g0", stream: "queue", position: -1, idFirst: c.idLimit, count: 1 });
  return c;
}

/** One replica holds another id at one committed position. */
function divergeReplica(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const streams = c.replicas.filter((x) => x.replica === "b2" && x.committedEnd > 0);
  const replica = chosen(streams, pick, "non-empty stream");
  const position = pick % replica.committedEnd;
  replica.entries = replica.entries.flatMap((entry) =>
    entrySingles(entry).map((x) => (x.position === position ? { ...x, idFirst: x.idFirst + 1000 } : x)),
  );
  return c;
}

/** The final log lost its last batch, which every group had read. */
function truncateFinalLog(r: Rendered, pick: number): Case {
  const c = cleanCase(r);
  const log = chosen(c.finalLogs.filter((x) => x.entries.length > 0), pick, "non-empty log");
  log.entries = log.entries.slice(0, -1);
  return c;
}

function* idsOf(e: { idFirst: number; count: number }): Generator<number> {
  for (let k = 0; k < e.count; k++) yield e.idFirst + k;
}

function singles(e: Deliver): Deliver[] {
  return Array.from({ length: e.count }, (_, k) => ({ ...e, position: e.position + k, idFirst: e.idFirst + k, count: 1 }));
}

function entrySingles(entry: LogEntry): LogEntry[] {
  return Array.from({ length: entry.count }, (_, k) => ({ position: entry.position + k, idFirst: entry.idFirst + k, count: 1 }));
}
