/**
 * What a master and its slaves say on the HA port (store/.../ha/
 * DefaultHAConnection.java, DefaultHAClient.java): the slave reports the
 * end of its commit log (8 bytes), the master sends commit log data from
 * where the slave asked, each frame a 12-byte header (physical offset 8,
 * body size 4) and up to haTransferBatchSize of the log; a frame with no
 * body is the master's heartbeat. The model moves whole puts: a frame holds
 * the puts that start within the batch (at least one), where the real
 * master cuts the byte stream anywhere.
 */
import type { CommitLogRecord } from "./commit-log.js";

export const HA_PORT = "rocketmq-ha";
export const HA_TRAFFIC = "rocketmq-ha";

export interface HaReport {
  readonly kind: "ha-report";
  /** The slave's commit log end: what it has, and where the master continues. */
  readonly maxOffset: number;
}

export interface HaData {
  readonly kind: "ha-data";
  /** Where the frame's data starts in the master's log. */
  readonly offset: number;
  readonly records: readonly CommitLogRecord[];
}

export type HaMessage = HaReport | HaData;

export const HA_REPORT_BYTES = 8;
export const HA_HEADER_BYTES = 12;

export function haBytesOf(message: HaMessage): number {
  if (message.kind === "ha-report") return HA_REPORT_BYTES;
  let bytes = HA_HEADER_BYTES;
  for (const record of message.records) bytes += record.sizeBytes;
  return bytes;
}
