/**
 * ActiveMQ's JDBC persistence adapter as the broker uses it
 * (JDBCPersistenceAdapter, JDBCMessageStore; tag activemq-5.18.7;
 * docs/research/activemq-facts.md §5): the messages live in the database's
 * ACTIVEMQ_MSGS table (lock-database.ts), not on the broker.
 *
 * - addMessage is an INSERT in its own transaction: a sync send is answered
 *   once the database has committed it;
 * - removeMessage (a consumer's ack) is a DELETE, not waited for;
 * - recovery SELECTs every stored message, in insertion order;
 * - a statement that fails (the database unreachable: no answer within the
 *   statement timeout) is an SQLException: the default IOException handler
 *   ignores those (ignoreSQLExceptions), so the broker keeps running and the
 *   producer's send fails with it.
 *
 * Where the model differs: one connection carries every statement (the real
 * adapter has a pool); no journal in front of the database (the adapter's
 * default since 5.x); the INSERT's row carries the message as the model
 * stores it.
 */
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { WorldNode } from "../../world/node.js";
import type { World } from "../../world/world.js";
import type { StorageResult } from "./journal-storage.js";
import type { JournalCallback } from "./kahadb-journal.js";
import type { StoredMessage, TransactionAdd, TransactionRemove } from "./kahadb-store.js";
import { databaseLinkOptions, type LockStatement, type MessageStatement, type StatementResult } from "./lock-database.js";

const NS_PER_MS = 1_000_000;
/** Recovery's SELECT that failed is tried again after this long. */
const RECOVERY_RETRY_NS = 1_000 * NS_PER_MS;

interface Waiter {
  done: JournalCallback<unknown>;
  arg: unknown;
}

export class JdbcStore {
  private readonly link: ReconnectingLink<LockStatement | MessageStatement | StatementResult>;
  /** What recovery's SELECT read, by destination, in insertion order (the broker loads its queues from it; later the table itself is the truth). */
  private readonly recovered = new Map<string, StoredMessage[]>();
  private readonly waiters = new Map<number, Waiter>();
  private idNext = 1;
  private recoveryId = -1;
  private onRecovered: (() => void) | null = null;
  private isOpenNow = false;
  private isClosed = false;
  private readonly onRecoveryRetryBound = (): void => this.select();

  constructor(
    private readonly node: WorldNode,
    world: World,
    database: string,
  ) {
    this.link = new ReconnectingLink<LockStatement | MessageStatement | StatementResult>(
      databaseLinkOptions(world, node, database),
      { onOpen: () => this.onOpen(), onMessage: (message) => this.onResult(message as StatementResult), onDown: (_, __, lostIds) => this.onLost(lostIds) },
    );
  }

  get isOpen(): boolean {
    return this.isOpenNow;
  }

  /** Reads every stored message; `done` once the store can be used. */
  recover(done: () => void): void {
    this.onRecovered = done;
    this.link.connect();
  }

  /** The destination's messages as recovery read them. */
  messages(destination: string): StoredMessage[] {
    return [...(this.recovered.get(destination) ?? [])];
  }

  addMessage<A>(destination: string, message: StoredMessage, isSync: boolean, done: JournalCallback<A> | null, arg: A): void {
    const id = this.idNext++;
    if (isSync && done !== null) this.waiters.set(id, { done: done as JournalCallback<unknown>, arg });
    this.send({ kind: "INSERT_MSG", id, destination, message });
  }

  /** A transaction's INSERTs and DELETEs, committed together; `done` once the database has committed them. */
  commitTransaction<A>(adds: readonly TransactionAdd[], removes: readonly TransactionRemove[], done: JournalCallback<A>, arg: A): void {
    const id = this.idNext++;
    this.waiters.set(id, { done: done as JournalCallback<unknown>, arg });
    this.send({ kind: "COMMIT_MSGS", id, adds, removes });
  }

  removeMessage(destination: string, messageId: string): void {
    const id = this.idNext++;
    this.send({ kind: "DELETE_MSG", id, destination, messageId });
  }

  /** The broker stopped using it: nothing more is sent or answered. */
  close(): void {
    this.isClosed = true;
    this.isOpenNow = false;
    this.waiters.clear();
    this.link.close();
  }

  private onOpen(): void {
    if (this.onRecovered !== null && this.recoveryId < 0) this.select();
  }

  private select(): void {
    if (this.isClosed) return;
    if (!this.link.isEstablished) return void this.link.ensureConnecting();
    this.recoveryId = this.idNext++;
    this.link.request({ kind: "SELECT_MSGS", id: this.recoveryId }, this.recoveryId);
  }

  private send(statement: MessageStatement): void {
    if (this.link.isEstablished && this.link.request(statement, statement.id)) return;
    // Not connected: the statement fails at once (an SQLException from the pool).
    this.link.ensureConnecting();
    this.fail(statement.id);
  }

  private onResult(result: StatementResult): void {
    if (this.isClosed) return;
    if (result.kind === "ROWS" && result.id === this.recoveryId) return this.onSelected(result.rows);
    const waiter = this.waiters.get(result.id);
    if (waiter === undefined) return;
    this.waiters.delete(result.id);
    waiter.done("ok", waiter.arg);
  }

  private onSelected(rows: readonly { destination: string; message: StoredMessage }[]): void {
    this.recoveryId = -1;
    this.recovered.clear();
    for (const row of rows) {
      const messages = this.recovered.get(row.destination);
      if (messages === undefined) this.recovered.set(row.destination, [row.message]);
      else messages.push(row.message);
    }
    this.isOpenNow = true;
    const done = this.onRecovered;
    this.onRecovered = null;
    done?.();
  }

  private onLost(lostIds: readonly number[]): void {
    if (this.isClosed) return;
    for (const id of lostIds) {
      if (id === this.recoveryId) {
        this.recoveryId = -1;
        this.node.after(RECOVERY_RETRY_NS, this.onRecoveryRetryBound);
        continue;
      }
      this.fail(id);
    }
  }

  private fail(id: number): void {
    const waiter = this.waiters.get(id);
    if (waiter === undefined) return;
    this.waiters.delete(id);
    const result: StorageResult = "sql-error";
    waiter.done(result, waiter.arg);
  }
}
