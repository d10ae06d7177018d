/**
 * ActiveMQ's SharedFileLocker (broker/store/SharedFileLocker.java,
 * broker/util/LockFile.java, broker/broker/LockableServiceSupport.java, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §4): a broker that
 * stores on a shared file system becomes master by taking an exclusive
 * lock on the store's `lock` file, and waits as a slave until it can.
 *
 * - tryLock; denied: wait lockAcquireSleepInterval (10 s) and try again
 *   (the slave accepts no client meanwhile: its connectors start after the
 *   lock and the store's recovery);
 * - granted: write the time into the lock file and force it (the file's
 *   mtime is what keepAlive later compares), then the broker goes on;
 * - lockKeepAlivePeriod (0 by default: never): read the lock file again
 *   every period; another holder's record there (its mtime changed) means
 *   the lock was lost, and the broker stops ("no longer able to keep the
 *   exclusive lock so giving up being a master"). With 0, a master whose
 *   lock the server gave away (an NFSv4 lease that ran out during a
 *   partition or a pause) never notices: two masters.
 */
import type { WorldNode } from "../../world/node.js";
import type { SharedStoreClient } from "../../world/shared-store-client.js";
import type { SharedStoreReply } from "../../world/shared-store-protocol.js";

const NS_PER_MS = 1_000_000;
export const LOCK_FILE = "kahadb/lock";
/** LockFile.lock writes the current time (a long) into the file. */
const LOCK_RECORD_BYTES = 8;

export interface SharedFileLockerOptions {
  /** AbstractLocker.DEFAULT_LOCK_ACQUIRE_SLEEP_INTERVAL: 10 s. */
  lockAcquireSleepInterval: number;
  /** LockableServiceSupport: 0 (no check) for KahaDB. */
  lockKeepAlivePeriod: number;
}

export const SHARED_FILE_LOCKER_DEFAULTS: Readonly<SharedFileLockerOptions> = Object.freeze({ lockAcquireSleepInterval: 10_000, lockKeepAlivePeriod: 0 });

export interface SharedFileLockerListener {
  /** The lock is held and its record forced: the broker may open its store. */
  onAcquired(): void;
  /** keepAlive found the lock file another's: the broker stops. */
  onLost(): void;
}

/** What the lock file holds: who wrote it last, and when. */
interface LockRecord {
  readonly owner: string;
  readonly atNs: number;
}

export class SharedFileLocker {
  private isHeld = false;
  private isStopped = false;
  private readonly owner: string;
  private readonly onTryBound = (): void => this.tryOnce();
  private readonly onLockReplyBound = (reply: SharedStoreReply): void => this.onLockReply(reply);
  private readonly onRecordForcedBound = (): void => this.onRecordForced();
  private readonly onKeepAliveBound = (): void => this.keepAlive();
  private readonly onLockFileReadBound = (reply: SharedStoreReply): void => this.onLockFileRead(reply);

  constructor(
    private readonly node: WorldNode,
    private readonly client: SharedStoreClient,
    private readonly options: SharedFileLockerOptions,
    private readonly listener: SharedFileLockerListener,
  ) {
    this.owner = `${node.name}#${node.incarnation}`;
  }

  get isMaster(): boolean {
    return this.isHeld;
  }

  start(): void {
    this.tryOnce();
  }

  /** The broker stops in order: the lock goes back at once. */
  stop(): void {
    this.isStopped = true;
    if (this.isHeld) this.client.unlock(LOCK_FILE);
    this.isHeld = false;
  }

  private tryOnce(): void {
    if (!this.isStopped) this.client.tryLock(LOCK_FILE, this.onLockReplyBound, null);
  }

  private onLockReply(reply: SharedStoreReply): void {
    if (this.isStopped) return;
    if (reply.kind !== "LOCK_GRANTED") {
      this.node.after(this.options.lockAcquireSleepInterval * NS_PER_MS, this.onTryBound);
      return;
    }
    const record: LockRecord = { owner: this.owner, atNs: this.node.now };
    // LockFile writes its time at the start of the file: one record, rewritten in place by each new holder.
    this.client.write(LOCK_FILE, record, LOCK_RECORD_BYTES, noop, null, 0);
    this.client.commit(LOCK_FILE, this.onRecordForcedBound, null);
  }

  private onRecordForced(): void {
    if (this.isStopped) return;
    this.isHeld = true;
    this.listener.onAcquired();
    if (this.options.lockKeepAlivePeriod > 0) this.node.after(this.options.lockKeepAlivePeriod * NS_PER_MS, this.onKeepAliveBound);
  }

  private keepAlive(): void {
    if (!this.isStopped && this.isHeld) this.client.read(LOCK_FILE, 0, Number.MAX_SAFE_INTEGER, this.onLockFileReadBound, null);
  }

  private onLockFileRead(reply: SharedStoreReply): void {
    if (this.isStopped || !this.isHeld) return;
    const records = reply.kind === "READ_OK" ? reply.records : [];
    const last = records[records.length - 1]?.value as LockRecord | undefined;
    if (last !== undefined && last.owner !== this.owner) {
      this.isHeld = false;
      this.listener.onLost();
      return;
    }
    this.node.after(this.options.lockKeepAlivePeriod * NS_PER_MS, this.onKeepAliveBound);
  }
}

function noop(): void {}
