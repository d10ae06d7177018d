/**
 * Order inversions per stream and producer. For each group and stream, the
 * delivered positions are read in position order (a position delivered
 * several times counts once, with the id it was first delivered with); along
 * increasing positions each producer's ids must increase, since ids are
 * assigned in send order. Deliveries without positions (-1) are read in
 * arrival order per (group, consumer client, stream) instead. An inversion is
 * visible at the later of the two deliveries involved.
 */
import type { History } from "../history/history.js";
import { Interner } from "./interner.js";
import { PositionTable } from "./position-table.js";
import { ProducerOrder, type Inversion } from "./producer-order.js";
import { buildSendIndex } from "./send-index.js";
import type { CheckResult } from "./violation.js";
import { ViolationList } from "./violation-list.js";

interface ArrivalOrder {
  group: string;
  client: string;
  stream: string;
  events: number[];
}

/** Each group's view of each stream by position, and the order in which position-less deliveries (RabbitMQ's) arrived at each consumer. */
interface Deliveries {
  groups: Interner;
  streams: Interner;
  /** [group][stream] → the group's view of the stream by position. */
  views: (PositionTable | undefined)[][];
  arrivals: Map<string, ArrivalOrder>;
}

export function checkReordered(history: History): CheckResult {
  const sends = buildSendIndex(history);
  const { groups, streams, views, arrivals } = gatherDeliveries(history);
  const events = history.events;
  const order = new ProducerOrder(sends);
  const violations = new ViolationList();
  let inversions = 0;
  const report = (inv: Inversion, where: string, how: string): void => {
    inversions++;
    const eventIndex = Math.max(inv.eventIndex, inv.previousEventIndex);
    violations.offer(eventIndex, () => ({
      check: "reordered",
      message: `${where}: producer "${sends.producers.name(inv.producer)}" sent message ${inv.id} before message ${inv.previousId}, ${how}`,
      eventIndex,
      timeNs: events[eventIndex]!.timeNs,
      messageIds: [
        { idFirst: inv.id, count: 1 },
        { idFirst: inv.previousId, count: 1 },
      ],
    }));
  };
  for (let g = 0; g < views.length; g++) {
    const byStream = views[g] ?? [];
    for (let s = 0; s < byStream.length; s++) {
      const view = byStream[s];
      if (view === undefined) continue;
      order.begin();
      for (let p = view.start; p < view.end; p++) {
        const id = view.idAt(p);
        if (id === -1) continue;
        const inv = order.step(id, p, view.eventAt(p));
        if (inv === null) continue;
        report(
          inv,
          `group "${groups.name(g)}", stream "${streams.name(s)}"`,
          `yet ${inv.id} is at position ${inv.position}, after ${inv.previousId} at position ${inv.previousPosition}`,
        );
      }
    }
  }
  for (const arrival of arrivals.values()) {
    order.begin();
    for (const i of arrival.events) {
      const e = events[i]!;
      if (e.type !== "deliver") continue;
      for (let k = 0; k < e.count; k++) {
        const inv = order.step(e.idFirst + k, -1, i);
        if (inv === null) continue;
        report(inv, `group "${arrival.group}", stream "${arrival.stream}"`, `yet consumer "${arrival.client}" received ${inv.id} after ${inv.previousId} (event #${inv.previousEventIndex})`);
      }
    }
  }
  return violations.result("reordered", { examined: order.examined, inversions });
}

function gatherDeliveries(history: History): Deliveries {
  const deliveries: Deliveries = { groups: new Interner(), streams: new Interner(), views: [], arrivals: new Map() };
  const events = history.events;
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (e.type !== "deliver") continue;
    if (e.position < 0) {
      const key = `${e.group}\u0000${e.client}\u0000${e.stream}`;
      let order = deliveries.arrivals.get(key);
      if (order === undefined) {
        order = { group: e.group, client: e.client, stream: e.stream, events: [] };
        deliveries.arrivals.set(key, order);
      }
      order.events.push(i);
      continue;
    }
    const g = deliveries.groups.intern(e.group);
    const s = deliveries.streams.intern(e.stream);
    const byStream = (deliveries.views[g] ??= []);
    const view = (byStream[s] ??= new PositionTable());
    view.claimRange(e.position, e.idFirst, e.count, i);
  }
  return deliveries;
}
