/**
 * How a broker process comes to hold its store (BrokerService.start and the
 * lockers; docs/research/activemq-facts.md §4, §5): on its own disk at
 * once; on a shared file system once its SharedFileLocker holds the store's
 * lock; with JDBC once its LeaseDatabaseLocker holds the lease. Then it
 * opens the store (KahaDB over the local or shared files, or the JDBC
 * adapter) and recovers it; the broker is told when the store is ready and
 * when the lock is lost (the keepAlive or the renewal found it another's).
 */
import type { WorldNode } from "../../world/node.js";
import { SharedStoreClient } from "../../world/shared-store-client.js";
import type { LockRecovery } from "../../world/shared-store-protocol.js";
import type { World } from "../../world/world.js";
import { JdbcStore } from "./jdbc-store.js";
import { LocalJournalStorage, SharedJournalStorage, type JournalStorage } from "./journal-storage.js";
import type { KahaDbJournalOptions } from "./kahadb-journal.js";
import { KahaDbStore } from "./kahadb-store.js";
import { LeaseDatabaseLocker, type LeaseDatabaseLockerOptions } from "./lease-database-locker.js";
import { SharedFileLocker, type SharedFileLockerOptions } from "./shared-file-locker.js";

export type BrokerStoreSpec =
  | { kind: "local" }
  | { kind: "shared"; server: string; lockRecovery: LockRecovery; leaseNs?: number }
  /** JDBC persistence on a database server, master/slave by the lease locker. */
  | { kind: "jdbc"; server: string; locker: LeaseDatabaseLockerOptions };

export interface MastershipListener {
  /** The store is recovered: the broker loads its queues and starts its connectors. */
  onStoreRecovered(store: KahaDbStore | JdbcStore): void;
  /** The lock is another's now: the broker stops being master. */
  onLockLost(): void;
}

export class BrokerMastership {
  private storeNow: KahaDbStore | JdbcStore | null = null;
  private storeClient: SharedStoreClient | null = null;
  private leaseLocker: LeaseDatabaseLocker | null = null;

  constructor(
    private readonly world: World,
    private readonly node: WorldNode,
    private readonly store: BrokerStoreSpec,
    private readonly kahaDb: KahaDbJournalOptions,
    private readonly locker: SharedFileLockerOptions,
    private readonly listener: MastershipListener,
  ) {}

  /** The store being opened or in use (null once given up). */
  get currentStore(): KahaDbStore | JdbcStore | null {
    return this.storeNow;
  }

  start(): void {
    const { store, node } = this;
    if (store.kind === "local") return this.openKahaDb(new LocalJournalStorage(this.world.disk(node.name)));
    if (store.kind === "jdbc") {
      // leaseHolderId: the broker's name (each broker's own).
      this.leaseLocker = new LeaseDatabaseLocker(node, this.world, store.server, node.name, store.locker, {
        onAcquired: () => this.openJdbc(store.server),
        onLost: () => this.listener.onLockLost(),
      });
      return this.leaseLocker.start();
    }
    this.storeClient = new SharedStoreClient({ world: this.world, node, server: store.server, lockRecovery: store.lockRecovery, ...(store.leaseNs === undefined ? {} : { leaseNs: store.leaseNs }) });
    this.storeClient.start();
    this.waitForLock();
  }

  /** The store is given up (the lock lost, the store failed): a JDBC store's connection closes. */
  dropStore(): void {
    if (this.storeNow instanceof JdbcStore) this.storeNow.close();
    this.storeNow = null;
  }

  /** After a lost lock: wait for it again as a slave (restartAllowed); the lease locker keeps trying by itself. */
  waitAgain(): void {
    if (this.store.kind === "shared") this.waitForLock();
  }

  private waitForLock(): void {
    const client = this.storeClient!;
    const locker = new SharedFileLocker(this.node, client, this.locker, {
      onAcquired: () => this.openKahaDb(new SharedJournalStorage(client)),
      onLost: () => this.listener.onLockLost(),
    });
    locker.start();
  }

  private openKahaDb(storage: JournalStorage): void {
    const store = new KahaDbStore(this.node, storage, this.kahaDb, this.world.kernel.marks);
    this.storeNow = store;
    store.recover(() => this.onRecovered(store));
  }

  private openJdbc(server: string): void {
    const store = new JdbcStore(this.node, this.world, server);
    this.storeNow = store;
    store.recover(() => this.onRecovered(store));
  }

  private onRecovered(store: KahaDbStore | JdbcStore): void {
    if (store === this.storeNow) this.listener.onStoreRecovered(store);
  }
}
