/**
 * What travels on the simulated wire: one packet per send (payloads are
 * batches, never single messages), plus the framing arithmetic and the small
 * records the network schedules as event arguments.
 */
import type { CloseReason, Connection, Endpoint, Side } from "./connection.js";
import type { FramingSpec } from "./network-options.js";

export type PacketKind = "data" | "syn" | "syn-ack" | "rst";

/** One packet in flight. Allocated per send: payloads are batches, not single messages. */
export interface Packet {
  kind: PacketKind;
  connection: Connection | null;
  /** The receiving side, for connection packets. */
  toSide: Side;
  src: number;
  dst: number;
  classId: number;
  port: string;
  payload: unknown;
  payloadBytes: number;
  wireBytes: number;
  /** A data segment's sequence number in its direction (tcp-direction.ts); -1 for control packets and datagrams. */
  seq: number;
}

export function newPacket(
  kind: PacketKind,
  connection: Connection | null,
  toSide: Side,
  src: number,
  dst: number,
  payload: unknown,
  payloadBytes: number,
  wireBytes: number,
): Packet {
  return {
    kind,
    connection,
    toSide,
    src,
    dst,
    classId: connection === null ? 0 : connection.classId,
    port: connection === null ? "" : connection.port,
    payload,
    payloadBytes,
    wireBytes,
    seq: -1,
  };
}

/** Payload plus per-frame overhead; a zero-byte payload still takes one frame. */
export function wireBytesOf(payloadBytes: number, framing: FramingSpec | null): number {
  if (framing === null) return payloadBytes;
  const frames = Math.max(1, Math.ceil(payloadBytes / framing.payloadBytesPerFrame));
  return payloadBytes + frames * framing.overheadBytesPerFrame;
}

/** The argument of a scheduled "the connection closed" notice. */
export interface CloseNotice {
  endpoint: Endpoint;
  reason: CloseReason;
}

const CLOSE_REASONS: readonly CloseReason[] = ["refused", "connect-timeout", "reset", "timeout", "closed-by-peer"];

/** A stable number for a close reason, for the trace digest. */
export function closeReasonCode(reason: CloseReason): number {
  return CLOSE_REASONS.indexOf(reason);
}
