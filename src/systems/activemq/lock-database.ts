/**
 * The database of JDBC persistence and master/slave (jdbc/Statements.java,
 * tag activemq-5.18.7; docs/research/activemq-facts.md §5), on a database
 * server node: the ACTIVEMQ_MSGS table (a row per stored message: its
 * destination, message id and content) and the ACTIVEMQ_LOCK table's row
 * ID = 1 with its BROKER_NAME and TIME columns. Each statement is one
 * request over the network, executed in turn and committed to the server's
 * disk (its log fsynced: the rows survive the server's restart; statements
 * committing together share an fsync, as a database's group commit does)
 * before it is answered:
 *
 * - INSERT_MSG / DELETE_MSG: a message stored (JDBCMessageStore.addMessage,
 *   one transaction per message) and removed on its acknowledgement;
 * - SELECT_MSGS: every stored message in insertion order (recovery).
 *
 * The lease locker's statements, answered with the rows they updated:
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
import type { ReconnectingLinkOptions } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import type { StoredMessage, TransactionAdd, TransactionRemove } from "./kahadb-store.js";
import { MESSAGE_HEADER_BYTES } from "./openwire.js";

export const LOCK_DATABASE_PORT = "jdbc";
export const LOCK_DATABASE_TRAFFIC = "jdbc";
/** Estimate: a JDBC statement or result on the wire. */
export const STATEMENT_BYTES = 200;

export type LockStatement =
  | { kind: "ACQUIRE"; id: number; brokerName: string; leaseUntilNs: number }
  | { kind: "RENEW"; id: number; brokerName: string; leaseUntilNs: number }
  | { kind: "RELEASE"; id: number; brokerName: string };

export type MessageStatement =
  | { kind: "INSERT_MSG"; id: number; destination: string; message: StoredMessage }
  | { kind: "DELETE_MSG"; id: number; destination: string; messageId: string }
  | { kind: "SELECT_MSGS"; id: number }
  /** A JMS transaction's INSERTs (its sends) and DELETEs (its acks), committed as one. */
  | { kind: "COMMIT_MSGS"; id: number; adds: readonly TransactionAdd[]; removes: readonly TransactionRemove[] };

export interface LockStatementResult {
  kind: "UPDATE_COUNT";
  id: number;
  rows: number;
}

export interface SelectResult {
  kind: "ROWS";
  id: number;
  rows: readonly { destination: string; message: StoredMessage }[];
}

export type StatementResult = LockStatementResult | SelectResult;

/** A statement's bytes on the wire: an INSERT carries the message. */
export function statementBytesOf(statement: LockStatement | MessageStatement | StatementResult): number {
  if (statement.kind === "INSERT_MSG") return STATEMENT_BYTES + MESSAGE_HEADER_BYTES + statement.message.bodyBytes;
  if (statement.kind === "COMMIT_MSGS") return statement.adds.reduce((sum, add) => sum + MESSAGE_HEADER_BYTES + add.message.bodyBytes, STATEMENT_BYTES * (1 + statement.removes.length));
  if (statement.kind === "ROWS") return statement.rows.reduce((sum, row) => sum + MESSAGE_HEADER_BYTES + row.message.bodyBytes, STATEMENT_BYTES);
  return STATEMENT_BYTES;
}

const NS_PER_MS = 1_000_000;
/** Estimate: a statement unanswered this long fails (a JDBC socket read timeout). */
const STATEMENT_TIMEOUT_NS = 30_000 * NS_PER_MS;

/** A broker's JDBC connection to the database (the lease locker's, the message store's): statements and their answers, a statement timeout, reconnection every second. */
export function databaseLinkOptions(world: World, node: WorldNode, database: string): ReconnectingLinkOptions<LockStatement | MessageStatement | StatementResult> {
  return {
    world,
    node,
    hosts: [world.node(database)],
    port: LOCK_DATABASE_PORT,
    trafficClass: LOCK_DATABASE_TRAFFIC,
    bytesOf: statementBytesOf,
    reconnectBackoffNs: 1_000 * NS_PER_MS,
    requests: { timeoutNs: STATEMENT_TIMEOUT_NS, answerOf: (message) => ("rows" in message ? message.id : undefined), timeoutMark: "activemq.jdbc.statement-timeout", timers: "per-request", isAnswersOnly: true },
  };
}

type MessageChange =
  | { op: "insert"; destination: string; message: StoredMessage }
  | { op: "delete"; destination: string; messageId: string }
  | { op: "transaction"; destination: ""; adds: readonly TransactionAdd[]; removes: readonly TransactionRemove[] };

interface LockRow {
  brokerName: string | null;
  /** The lease's end (0: released). */
  timeNs: number;
}

/** A statement whose commit is on its way to the disk. */
interface Committing {
  endpoint: Endpoint;
  result: StatementResult;
}

export class LockDatabase implements NodeSoftware {
  private node: WorldNode | null = null;
  private disk: Disk | null = null;
  private table: DiskFile<LockRow> | null = null;
  private messagesLog: DiskFile<MessageChange> | null = null;
  private row: LockRow = { brokerName: null, timeNs: 0 };
  /** ACTIVEMQ_MSGS by destination, in insertion order. */
  private readonly messageRows = new Map<string, Map<string, StoredMessage>>();
  private readonly onCommittedBound = (_: unknown, committing: Committing): void => this.onCommitted(committing);

  constructor(private readonly world: World) {}

  /** The row as the database holds it now. */
  get lockRow(): Readonly<LockRow> {
    return this.row;
  }

  /** The destination's stored messages as the database holds them now (committed or committing), in insertion order. */
  messages(destination: string): StoredMessage[] {
    return [...(this.messageRows.get(destination)?.values() ?? [])];
  }

  start(node: WorldNode): void {
    this.node = node;
    this.disk = this.world.disk(node.name);
    this.table = this.disk.open<LockRow>("db/ACTIVEMQ_LOCK");
    // Recovery: the last committed (intact) version of the row.
    const intact = this.table.records.filter((record) => !record.torn);
    this.row = intact.length === 0 ? { brokerName: null, timeNs: 0 } : { ...intact[intact.length - 1]!.value };
    this.messagesLog = this.disk.open<MessageChange>("db/ACTIVEMQ_MSGS");
    this.messageRows.clear();
    // A torn change was never committed (nobody was answered); the log ends at the first one.
    for (const record of this.messagesLog.records) {
      if (record.torn) break;
      this.apply(record.value);
    }
    this.world.net.listen(node, LOCK_DATABASE_PORT, { accept: (endpoint) => ({ onData: (_, payload) => this.onStatement(endpoint, payload as LockStatement | MessageStatement), onClose: () => undefined }) });
  }

  private onStatement(endpoint: Endpoint, statement: LockStatement | MessageStatement): void {
    if (statement.kind === "INSERT_MSG" || statement.kind === "DELETE_MSG" || statement.kind === "SELECT_MSGS" || statement.kind === "COMMIT_MSGS") return this.onMessageStatement(endpoint, statement);
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

  private onMessageStatement(endpoint: Endpoint, statement: MessageStatement): void {
    if (statement.kind === "SELECT_MSGS") {
      const rows: { destination: string; message: StoredMessage }[] = [];
      for (const [destination, messages] of this.messageRows) for (const message of messages.values()) rows.push({ destination, message });
      return this.onCommitted({ endpoint, result: { kind: "ROWS", id: statement.id, rows } });
    }
    if (statement.kind === "COMMIT_MSGS") return this.onTransaction(endpoint, statement);
    const change: MessageChange = statement.kind === "INSERT_MSG" ? { op: "insert", destination: statement.destination, message: statement.message } : { op: "delete", destination: statement.destination, messageId: statement.messageId };
    const isChanged = this.apply(change);
    const committing: Committing = { endpoint, result: { kind: "UPDATE_COUNT", id: statement.id, rows: isChanged ? 1 : 0 } };
    if (!isChanged) return this.onCommitted(committing);
    this.disk!.append(this.messagesLog!, change, statementBytesOf(statement));
    this.disk!.fsync(this.messagesLog!, this.onCommittedBound, committing);
  }

  /** A transaction's rows: applied and logged as one record (a transaction is all or nothing), one commit. */
  private onTransaction(endpoint: Endpoint, statement: Extract<MessageStatement, { kind: "COMMIT_MSGS" }>): void {
    const adds = statement.adds.filter((add) => !(this.messageRows.get(add.destination)?.has(add.message.messageId) ?? false));
    const removes = statement.removes.filter((remove) => this.messageRows.get(remove.destination)?.has(remove.messageId) ?? false);
    const committing: Committing = { endpoint, result: { kind: "UPDATE_COUNT", id: statement.id, rows: adds.length + removes.length } };
    if (adds.length === 0 && removes.length === 0) return this.onCommitted(committing);
    const change: MessageChange = { op: "transaction", destination: "", adds, removes };
    this.apply(change);
    this.disk!.append(this.messagesLog!, change, statementBytesOf({ ...statement, adds, removes }));
    this.disk!.fsync(this.messagesLog!, this.onCommittedBound, committing);
  }

  /** Applies a change to ACTIVEMQ_MSGS; false when it changes nothing (a duplicate insert, a delete of what is not there). */
  private apply(change: MessageChange): boolean {
    if (change.op === "transaction") {
      let isChanged = false;
      for (const add of change.adds) isChanged = this.apply({ op: "insert", destination: add.destination, message: add.message }) || isChanged;
      for (const remove of change.removes) isChanged = this.apply({ op: "delete", destination: remove.destination, messageId: remove.messageId }) || isChanged;
      return isChanged;
    }
    let rows = this.messageRows.get(change.destination);
    if (rows === undefined) {
      rows = new Map();
      this.messageRows.set(change.destination, rows);
    }
    if (change.op === "delete") return rows.delete(change.messageId);
    if (rows.has(change.message.messageId)) return false;
    rows.set(change.message.messageId, change.message);
    return true;
  }

  private onCommitted(committing: Committing): void {
    if (this.node!.isProcessAlive) committing.endpoint.send(committing.result, statementBytesOf(committing.result));
  }
}
