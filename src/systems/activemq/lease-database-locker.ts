/**
 * ActiveMQ's LeaseDatabaseLocker (jdbc/LeaseDatabaseLocker.java, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §5): JDBC master/slave
 * by a lease on the ACTIVEMQ_LOCK row (lock-database.ts).
 *
 * - acquire: take the row if its lease has run out (or was released), the
 *   lease being lockAcquireSleepInterval (10 s) from now, and confirm it with
 *   a renew; else try again after lockAcquireSleepInterval;
 * - as master, renew every lockKeepAlivePeriod (30 s for the JDBC adapter);
 *   a renew that updates no row (another broker holds the lease) means the
 *   lease is lost: the broker stops. A renew that fails (the database is
 *   unreachable: a statement past its deadline) changes nothing: the
 *   default IOException handler ignores SQL exceptions, the master goes on.
 *
 * With the JDBC defaults the lease (10 s) is shorter than the renewal
 * period (30 s) — the locker warns about it — so the lease is expired two
 * thirds of the time and a slave can take it from a live master, which
 * learns it only at its next renewal: two masters meanwhile.
 */
import type { WorldNode } from "../../world/node.js";
import { ReconnectingLink } from "../../world/reconnecting-link.js";
import type { World } from "../../world/world.js";
import { databaseLinkOptions, type LockStatement, type LockStatementResult, type MessageStatement, type StatementResult } from "./lock-database.js";

const NS_PER_MS = 1_000_000;

export interface LeaseDatabaseLockerOptions {
  /** The lease's length and the slave's retry period (AbstractLocker: 10 s). */
  lockAcquireSleepInterval: number;
  /** The master's renewal period (JDBCPersistenceAdapter: 30 s). */
  lockKeepAlivePeriod: number;
}

export const LEASE_LOCKER_DEFAULTS: Readonly<LeaseDatabaseLockerOptions> = Object.freeze({ lockAcquireSleepInterval: 10_000, lockKeepAlivePeriod: 30_000 });

export interface LeaseLockerListener {
  onAcquired(): void;
  onLost(): void;
}

/** What the statement awaited is for. */
type Step = "acquire" | "confirm" | "renew";

export class LeaseDatabaseLocker {
  private readonly link: ReconnectingLink<LockStatement | MessageStatement | StatementResult>;
  private isMasterNow = false;
  private isStopped = false;
  private hasConnected = false;
  private isWaitingForConnection = false;
  private idNext = 1;
  /** The statement awaited, and its step (-1: none). */
  private awaitedId = -1;
  private awaitedStep: Step = "acquire";
  private readonly onAcquireBound = (): void => this.send("acquire");
  private readonly onRenewBound = (): void => this.send("renew");

  constructor(
    private readonly node: WorldNode,
    world: World,
    database: string,
    /** leaseHolderId: the broker's name, unique per broker. */
    private readonly brokerName: string,
    private readonly options: LeaseDatabaseLockerOptions,
    private readonly listener: LeaseLockerListener,
  ) {
    this.link = new ReconnectingLink<LockStatement | MessageStatement | StatementResult>(
      databaseLinkOptions(world, node, database),
      { onOpen: () => this.onOpen(), onMessage: (message) => this.onResult(message as LockStatementResult), onDown: () => this.onFailed() },
    );
  }

  get isMaster(): boolean {
    return this.isMasterNow;
  }

  start(): void {
    this.link.connect();
    this.send("acquire");
  }

  stop(): void {
    if (this.isMasterNow && this.link.isEstablished) this.link.request({ kind: "RELEASE", id: this.idNext++, brokerName: this.brokerName }, this.idNext - 1);
    this.isMasterNow = false;
    this.isStopped = true;
  }

  private send(step: Step): void {
    if (this.isStopped) return;
    const id = this.idNext++;
    this.awaitedId = id;
    this.awaitedStep = step;
    const leaseUntilNs = this.node.now + this.options.lockAcquireSleepInterval * NS_PER_MS;
    const statement: LockStatement = step === "acquire" ? { kind: "ACQUIRE", id, brokerName: this.brokerName, leaseUntilNs } : { kind: "RENEW", id, brokerName: this.brokerName, leaseUntilNs };
    if (this.link.isEstablished) this.link.request(statement, id);
    // The first statement waits for the connection to open, as getting a JDBC connection does; later ones fail at once.
    else if (!this.hasConnected) this.isWaitingForConnection = true;
    else {
      this.link.ensureConnecting();
      this.onFailed();
    }
  }

  private onOpen(): void {
    this.hasConnected = true;
    if (!this.isWaitingForConnection) return;
    this.isWaitingForConnection = false;
    if (this.awaitedId >= 0) this.send(this.awaitedStep);
  }

  private onResult(result: LockStatementResult): void {
    if (result.id !== this.awaitedId || this.isStopped) return;
    this.awaitedId = -1;
    const sleepNs = this.options.lockAcquireSleepInterval * NS_PER_MS;
    const keepAliveNs = this.options.lockKeepAlivePeriod * NS_PER_MS;
    switch (this.awaitedStep) {
      case "acquire":
        if (result.rows === 1) return this.send("confirm");
        return void this.node.after(sleepNs, this.onAcquireBound);
      case "confirm":
        if (result.rows === 0) return void this.node.after(sleepNs, this.onAcquireBound);
        this.isMasterNow = true;
        this.listener.onAcquired();
        return void this.node.after(keepAliveNs, this.onRenewBound);
      case "renew":
        if (result.rows === 1) return void this.node.after(keepAliveNs, this.onRenewBound);
        // Another broker holds the lease: give up being master.
        this.isMasterNow = false;
        this.listener.onLost();
        return void this.node.after(sleepNs, this.onAcquireBound);
    }
  }

  /** The statement failed (the database unreachable): try again later; a master's failed renew is ignored (SQL exceptions are). */
  private onFailed(): void {
    if (this.awaitedId < 0 || this.isStopped) return;
    this.awaitedId = -1;
    const isRenewing = this.awaitedStep === "renew";
    this.node.after((isRenewing ? this.options.lockKeepAlivePeriod : this.options.lockAcquireSleepInterval) * NS_PER_MS, isRenewing ? this.onRenewBound : this.onAcquireBound);
  }
}
