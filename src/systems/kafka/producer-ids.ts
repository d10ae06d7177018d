/**
 * Producer ids for idempotent producers (KIP-98).
 *
 * In Kafka a producer asks a broker for its id (InitProducerId) and the id is
 * unique cluster-wide. mqsim skips that round trip: ids are handed out from a
 * counter kept per History — one History per run — so they are unique within
 * the run, small, and the same for the same seed whatever else the process
 * has run before. The WeakMap is only a side table keyed by the run's
 * history; it is never iterated.
 */
import type { History } from "../../history/history.js";

const nextIdByHistory = new WeakMap<History, number>();

export function allocateProducerId(history: History): number {
  const id = nextIdByHistory.get(history) ?? 0;
  nextIdByHistory.set(history, id + 1);
  return id;
}
