/**
 * The database of JDBC master/slave, as far as the lease locker uses it: the
 * ACTIVEMQ_LOCK table's row ID = 1 with its BROKER_NAME and TIME columns
 * (jdbc/Statements.java, tag activemq-5.18.7; docs/research/
 * activemq-facts.md §5), on a database server node. Each statement is one
 * request over the network, executed in turn and committed to the server's
 * disk (the row survives the server's restart) before it is answered with
 * the number of rows it updated:
 *
 * - ACQUIRE: UPDATE … SET BROKER_NAME=?, TIME=? WHERE (TIME IS NULL OR
 *   TIME < now) AND ID = 1 — takes an expired (or released) lease;
 * - RENEW: UPDATE … SET BROKER_NAME=?, TIME=? WHERE BROKER_NAME=? AND ID = 1
 *   — extends one's own lease, expired or not (the real renew does not check
 *   expiry);
 * - RELEASE: SET BROKER_NAME=NULL, TIME=0 WHERE BROKER_NAME=?.
 *
 * TIME is the database's clock here (maxAllowableDiffFromDBTime is 0 by
 * default: brokers use their own clocks, which in the model all agree).
 */
import type { Endpoint } from "../../world/connection.js";
import type { Disk, DiskFile } from "../../world/disk.js";
import type { NodeSoftware, WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";

export const LOCK_DATABASE_PORT = "jdbc";
export const LOCK_DATABASE_TRAFFIC = "jdbc";
/** Estimate: a JDBC statement or result on the wire. */
export const STATEMENT_BYTES = 200;

export type LockStatement =
  | { kind: "ACQUIRE"; id: number; brokerName: string; leaseUntilNs: number }
  | { kind: "RENEW"; id: number; brokerName: string; leaseUntilNs: number }
  | { kind: "RELEASE"; id: number; brokerName: string };

export interface LockStatementResult {
  kind: "UPDATE_COUNT";
  id: number;
  rows: number;
}

interface LockRow {
  brokerName: string | null;
  /** The lease's end (0: released). */
  timeNs: number;
}

/** A statement whose commit is on its way to the disk. */
interface Committing {
  endpoint: Endpoint;
  result: LockStatementResult;
}

export class LockDatabase implements NodeSoftware {
  private node: WorldNode | null = null;
  private disk: Disk | null = null;
  private table: DiskFile<LockRow> | null = null;
  private row: LockRow = { brokerName: null, timeNs: 0 };
  private readonly onCommittedBound = (_: unknown, committing: Committing): void => this.onCommitted(committing);

  constructor(private readonly world: World) {}

  /** The row as the database holds it now. */
  get lockRow(): Readonly<LockRow> {
    return this.row;
  }

  start(node: WorldNode): void {
    this.node = node;
    this.disk = this.world.disk(node.name);
    this.table = this.disk.open<LockRow>("db/ACTIVEMQ_LOCK");
    // Recovery: the last committed (intact) version of the row.
    const intact = this.table.records.filter((record) => !record.torn);
    this.row = intact.length === 0 ? { brokerName: null, timeNs: 0 } : { ...intact[intact.length - 1]!.value };
    this.world.net.listen(node, LOCK_DATABASE_PORT, { accept: (endpoint) => ({ onData: (_, payload) => this.onStatement(endpoint, payload as LockStatement), onClose: () => undefined }) });
  }

  private onStatement(endpoint: Endpoint, statement: LockStatement): void {
    const now = this.node!.now;
    const row = this.row;
    let rows = 0;
    if (statement.kind === "ACQUIRE" && (row.brokerName === null || row.timeNs < now)) rows = 1;
    if (statement.kind === "RENEW" && row.brokerName === statement.brokerName) rows = 1;
    if (statement.kind === "RELEASE" && row.brokerName === statement.brokerName) rows = 1;
    if (rows === 1) this.row = statement.kind === "RELEASE" ? { brokerName: null, timeNs: 0 } : { brokerName: statement.brokerName, timeNs: statement.leaseUntilNs };
    const committing: Committing = { endpoint, result: { kind: "UPDATE_COUNT", id: statement.id, rows } };
    if (rows === 0) return this.onCommitted(committing);
    this.disk!.append(this.table!, { ...this.row }, 64);
    this.disk!.fsync(this.table!, this.onCommittedBound, committing);
  }

  private onCommitted(committing: Committing): void {
    if (this.node!.isProcessAlive) committing.endpoint.send(committing.result, STATEMENT_BYTES);
  }
}
