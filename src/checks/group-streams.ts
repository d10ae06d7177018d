/**
 * Which acknowledged messages a group is held to. By default every group
 * must get every acknowledged message (Kafka: every consumer group reads
 * every partition). Where a group consumes only some of what is published
 * (RabbitMQ: the queues its consumers read, reached from some exchanges and
 * routing keys but not others), `streamsOfGroup` names, per group, the send
 * streams whose messages it must get; groups not named are held to all.
 */
import type { Interner } from "./interner.js";

export type StreamsOfGroup = Readonly<Record<string, readonly string[]>>;

/** A membership test on interned send-stream indices for the group, or null when the group is held to every stream. */
export function streamFilter(streams: Interner, streamsOfGroup: StreamsOfGroup | undefined, group: string): Uint8Array | null {
  const names = streamsOfGroup === undefined || !Object.hasOwn(streamsOfGroup, group) ? undefined : streamsOfGroup[group];
  if (names === undefined) return null;
  const allowed = new Uint8Array(Math.max(1, streams.size));
  for (const name of names) {
    const s = streams.find(name);
    if (s >= 0) allowed[s] = 1;
  }
  return allowed;
}

/** True when the message's send stream is one the group must get (or the group is held to all). */
export function isHeldTo(filter: Uint8Array | null, stream: number): boolean {
  return filter === null || (stream >= 0 && filter[stream] === 1);
}
