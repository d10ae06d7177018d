/**
 * Jepsen's nonmonotonic-send, for monotonic.ts: walking one producer's
 * acknowledged messages in id (= send) order, their positions in one stream
 * must increase. A descent is visible once both acknowledgements exist.
 */
import type { History } from "../history/history.js";
import type { Interner } from "./interner.js";
import { OUTCOME_OK, type SendIndex } from "./send-index.js";
import type { ViolationList } from "./violation-list.js";

/** Offers each descent to `violations`; returns how many there were. */
export function findNonmonotonicSends(
  history: History,
  sends: SendIndex,
  streams: Interner,
  violations: ViolationList,
): number {
  const streamCount = Math.max(1, streams.size);
  const keys = sends.producers.size * streamCount;
  const lastPosition = new Float64Array(keys).fill(-1);
  const lastId = new Float64Array(keys).fill(-1);
  let found = 0;
  for (let id = 0; id < sends.idLimit; id++) {
    const position = sends.ackPosition[id]!;
    const producer = sends.producer[id]!;
    if ((sends.flags[id]! & OUTCOME_OK) === 0 || position < 0 || producer === -1) continue;
    const stream = sends.ackStream[id]!;
    const key = producer * streamCount + stream;
    const previous = lastId[key]!;
    const previousPosition = lastPosition[key]!;
    lastId[key] = id;
    lastPosition[key] = position;
    if (previous === -1 || position > previousPosition) continue;
    found++;
    const eventIndex = Math.max(sends.ackEvent[id]!, sends.ackEvent[previous]!);
    violations.offer(eventIndex, () => ({
      check: "nonmonotonic-send",
      message:
        `producer "${sends.producers.name(producer)}", stream "${streams.name(stream)}": message ${id} was acknowledged ` +
        `at position ${position}, not after message ${previous} (sent earlier) at position ${previousPosition}`,
      eventIndex,
      timeNs: history.events[eventIndex]!.timeNs,
      messageIds: [
        { idFirst: previous, count: 1 },
        { idFirst: id, count: 1 },
      ],
    }));
  }
  return found;
}
