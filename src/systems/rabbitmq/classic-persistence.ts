/**
 * What "confirmed" means for a persistent message in a durable classic queue,
 * by RabbitMQ version and classic queue storage version (CQv1 / CQv2).
 *
 * - 3.12 and earlier, CQv1: the confirm waits for an fsync (the shared
 *   message store's, or the queue index journal's for messages embedded in
 *   the index). rabbit_msg_store.erl v3.12.14 (file_handle_cache:sync),
 *   rabbit_queue_index.erl (journal fsync).
 * - 3.13, CQv1: the shared message store no longer fsyncs, it only flushes
 *   (rabbit_msg_store.erl v3.13.7, commit 985f4e8a68, first in 3.13.0); the
 *   v1 index journal still fsyncs, so messages smaller than
 *   queue_index_embed_msgs_below (4096 bytes by default), which live in the
 *   index, are confirmed after an fsync and larger ones after a write.
 * - CQv2 (any version that has it; the only one in 4.x): "the v2 no longer
 *   calls fsync, it only flushes" (rabbit_classic_queue_index_v2.erl,
 *   rabbit_classic_queue_store_v2.erl): confirmed once written to the OS.
 *
 * A message confirmed after a write survives a process crash (the page cache
 * keeps it) but not a power loss before writeback reaches it. Quorum queues
 * are not affected: they confirm after a majority fsynced their logs.
 *
 * Not modelled: ≤ 3.12's 25 ms sync timer (the model syncs as soon as
 * asked, one fsync in flight, later writes sharing the next: the store's
 * behaviour when idle) and the shared store across queues (each queue has
 * its own file, review M9).
 */
export type RabbitVersion = "3.12" | "3.13" | "4.x";
export const RABBIT_VERSIONS: readonly RabbitVersion[] = ["3.12", "3.13", "4.x"];
export type ClassicQueueVersion = 1 | 2;

/** The newest version: the default when a scenario names none. */
export const RABBIT_VERSION_DEFAULT: RabbitVersion = "4.x";

/** rabbitmq.conf's queue_index_embed_msgs_below default: smaller messages are stored in the queue index. */
export const EMBED_MSGS_BELOW_BYTES_DEFAULT = 4_096;

/** classic_queue.default_version: 1 up to 3.13 (its schema default), 2 in 4.x (the only one left). */
export function defaultClassicQueueVersion(version: RabbitVersion): ClassicQueueVersion {
  return version === "4.x" ? 2 : 1;
}

/** Classic queue mirroring (ha-mode policies) was removed in RabbitMQ 4.0. */
export function hasClassicMirroring(version: RabbitVersion): boolean {
  return version !== "4.x";
}

/** Does a persistent message's confirm wait for an fsync? (Otherwise it waits for the write only.) */
export function isFsyncedBeforeConfirm(version: RabbitVersion, queueVersion: ClassicQueueVersion, messageBytes: number, embedBelowBytes: number): boolean {
  if (queueVersion === 2) return false;
  if (version === "3.12") return true;
  return messageBytes < embedBelowBytes;
}
