/**
 * A shared store's server: one machine exporting its disk to others over the
 * network (an NFS server). Clients' WRITEs go to its page cache, COMMIT
 * fsyncs them, READ reads them back; so the store's durability is this
 * machine's disk, and its loss is every client's loss.
 *
 * Locks: one exclusive lock per path (a java.nio FileLock on a lock file, as
 * ActiveMQ's SharedFileLocker takes it, is a byte-range lock the NFS client
 * forwards here). A LOCK that finds the path free is granted; otherwise
 * denied (a tryLock: the caller polls). A lock is released by UNLOCK, by its
 * holder's connection being reset (the holder's process died on a live
 * host, whose kernel unlocks), by a NOTIFY from the holder's rebooted host, and,
 * under "lease" recovery, by its holder staying silent for leaseNs (checked
 * when someone else asks for the lock). Under "nlm" a holder whose machine
 * died silently keeps it until that machine reboots, for ever if it never
 * does (shared-store-protocol.ts).
 *
 * The lock table lives in the server process: its restart forgets every
 * lock, and for a grace period (Linux nfsd's nfsv4gracetime, 90 s by
 * default, set apart from the lease) grants only reclaims, so each client takes back the locks it held
 * before anyone else can take them.
 *
 * A WRITE at a place the file already holds overwrites it: the file is cut
 * back to that place and the record appended (records are the model's unit,
 * not bytes, so what followed goes too; a writer that rewrites one place
 * after a server's reboot rewrites everything after it as well, and a lock
 * file is one record rewritten in place).
 */
import type { Endpoint } from "./connection.js";
import type { Disk, DiskFile, DiskRecord } from "./disk.js";
import type { NodeSoftware, WorldNode } from "./node.js";
import { SHARED_STORE_PORT, sharedStoreBytesOf, type LockRecovery, type SharedStoreReply, type SharedStoreRequest } from "./shared-store-protocol.js";
import type { World } from "./world.js";

const NS_PER_SECOND = 1_000_000_000;
/** Linux nfsd's default NFSv4 lease (nfsv4leasetime, 90 s). */
export const LEASE_DEFAULT_NS = 90 * NS_PER_SECOND;
/** Linux nfsd's default grace period after a restart (nfsv4gracetime, 90 s; lockd's is the same). */
export const GRACE_DEFAULT_NS = 90 * NS_PER_SECOND;

export interface SharedStoreServerOptions {
  lockRecovery: LockRecovery;
  /** "lease": how long a silent client keeps its locks. */
  leaseNs?: number;
  /** After a restart, how long only reclaims of locks are granted (default 90 s). */
  graceNs?: number;
}

interface Lock {
  /** The holder's host (NOTIFY and the lease are per host) and the process that took it. */
  host: string;
  owner: string;
  endpoint: Endpoint;
}

/**
 * A request the server has taken, in its duplicate request cache: where its
 * answer goes (the newest connection it came on) and, once sent, the answer
 * (a resent request gets it again instead of running twice). Bounded like
 * nfsd's cache: the oldest entries go first.
 */
interface Pending {
  endpoint: Endpoint;
  id: number;
  reply: SharedStoreReply | null;
}

const DUPLICATE_CACHE_ENTRIES_MAX = 4_096;

export class SharedStoreServer implements NodeSoftware {
  private node: WorldNode | null = null;
  private disk: Disk | null = null;
  private readonly files = new Map<string, DiskFile>();
  private readonly locks = new Map<string, Lock>();
  /** When each client was last heard from (any request renews an NFSv4 lease). */
  private readonly heardNs = new Map<string, number>();
  private readonly leaseNs: number;
  /** Until when only reclaims of locks are granted (after a restart). */
  private graceUntilNs = 0;
  /** Per client: the duplicate request cache, by request id (Map order is arrival order). */
  private readonly cache = new Map<string, Map<number, Pending>>();
  private readonly onCommittedBound = (_: unknown, pending: Pending): void => this.answer(pending, { kind: "COMMIT_OK", id: pending.id, verifier: this.node!.incarnation });
  private readonly onReadBound = (records: readonly DiskRecord[], pending: Pending): void => {
    let bytes = 0;
    for (const record of records) bytes += record.bytes;
    this.answer(pending, { kind: "READ_OK", id: pending.id, records: records.map((record) => ({ value: record.value, torn: record.torn })), bytes });
  };

  constructor(
    private readonly world: World,
    private readonly options: SharedStoreServerOptions,
  ) {
    this.leaseNs = options.leaseNs ?? LEASE_DEFAULT_NS;
  }

  start(node: WorldNode): void {
    this.node = node;
    this.disk = this.world.disk(node.name);
    this.files.clear();
    this.locks.clear();
    this.heardNs.clear();
    this.cache.clear();
    this.graceUntilNs = node.incarnation > 1 ? node.now + (this.options.graceNs ?? GRACE_DEFAULT_NS) : 0;
    this.world.net.listen(node, SHARED_STORE_PORT, {
      accept: (endpoint) => ({
        onData: (_, payload) => this.onRequest(endpoint, payload as SharedStoreRequest),
        onClose: (_, reason) => {
          if (reason === "reset") this.onClientGone(endpoint);
        },
      }),
    });
  }

  /** Which process holds the lock on `path` now ("host#start"; null: nobody), as the server's table says. */
  holderOf(path: string): string | null {
    return this.locks.get(path)?.owner ?? null;
  }

  private onRequest(endpoint: Endpoint, request: SharedStoreRequest): void {
    const client = endpoint.peerNode.name;
    this.heardNs.set(client, this.node!.now);
    const pending = this.admit(client, endpoint, request.id);
    if (pending === null) return;
    switch (request.kind) {
      case "WRITE":
        return this.answer(pending, this.write(request) === "ok" ? { kind: "WRITE_OK", id: request.id, verifier: this.node!.incarnation } : { kind: "NOSPC", id: request.id });
      case "COMMIT":
        return this.disk!.fsync(this.fileOf(request.path), this.onCommittedBound, pending);
      case "READ":
        return this.read(pending, request);
      case "LOCK":
        return this.answer(pending, { kind: this.tryLock(request, client, endpoint) ? "LOCK_GRANTED" : "LOCK_DENIED", id: request.id });
      case "UNLOCK":
        if (this.locks.get(request.path)?.owner === request.owner) this.release(request.path, "unlock");
        return this.answer(pending, { kind: "OK", id: request.id });
      case "RENEW":
        return this.answer(pending, { kind: "OK", id: request.id });
      case "NOTIFY":
        this.releaseAllOf(client, "rebooted");
        return this.answer(pending, { kind: "OK", id: request.id });
    }
  }

  /** A new request's cache entry; null for one already taken (its answer is sent again, or will go to this connection). */
  private admit(client: string, endpoint: Endpoint, id: number): Pending | null {
    let entries = this.cache.get(client);
    if (entries === undefined) {
      entries = new Map<number, Pending>();
      this.cache.set(client, entries);
    }
    const known = entries.get(id);
    if (known !== undefined) {
      this.world.kernel.marks.hit("shared-store.duplicate-request");
      known.endpoint = endpoint;
      if (known.reply !== null) this.send(endpoint, known.reply);
      return null;
    }
    const pending: Pending = { endpoint, id, reply: null };
    entries.set(id, pending);
    if (entries.size > DUPLICATE_CACHE_ENTRIES_MAX) entries.delete(entries.keys().next().value!);
    return pending;
  }

  private read(pending: Pending, request: Extract<SharedStoreRequest, { kind: "READ" }>): void {
    const file = this.fileOf(request.path);
    const count = Math.max(0, Math.min(request.count, file.recordCount - request.fromIndex));
    this.disk!.read(file, request.fromIndex, count, this.onReadBound, pending);
  }

  /** Writes the record at its place: past the file's records, appended; over one, it replaces it and what follows (the writer sends those again after it). */
  private write(request: Extract<SharedStoreRequest, { kind: "WRITE" }>): "ok" | "disk-full" {
    const file = this.fileOf(request.path);
    if (request.index < file.recordCount) this.disk!.truncate(file, request.index);
    if (request.index > file.recordCount) this.world.kernel.marks.hit("shared-store.write-past-end");
    return this.disk!.append(file, request.record, request.bytes) === "ok" ? "ok" : "disk-full";
  }

  private tryLock(request: Extract<SharedStoreRequest, { kind: "LOCK" }>, host: string, endpoint: Endpoint): boolean {
    const { path, owner } = request;
    if (this.node!.now < this.graceUntilNs && !request.reclaim) {
      this.world.kernel.marks.hit("shared-store.lock-denied-in-grace");
      return false;
    }
    const held = this.locks.get(path);
    if (held !== undefined && held.host !== host && this.isLeaseExpired(held.host)) this.release(path, "lease-expired");
    const lock = this.locks.get(path);
    if (lock === undefined) {
      this.locks.set(path, { host, owner, endpoint });
      this.world.kernel.trace.record("shared-store.lock", `${this.node!.name}:${path}`, 1, 0);
      return true;
    }
    // Another process, even on the same host, conflicts (NLM owners are host and process).
    if (lock.owner !== owner) return false;
    lock.endpoint = endpoint;
    return true;
  }

  private isLeaseExpired(client: string): boolean {
    if (this.options.lockRecovery !== "lease") return false;
    return this.node!.now - (this.heardNs.get(client) ?? 0) >= this.leaseNs;
  }

  /** The holder's connection was reset: its process died on a live host, whose kernel released its locks (a reconnect closes in order and keeps them). */
  private onClientGone(endpoint: Endpoint): void {
    for (const [path, lock] of [...this.locks]) if (lock.endpoint === endpoint) this.release(path, "holder-closed");
  }

  private releaseAllOf(client: string, why: string): void {
    for (const [path, lock] of [...this.locks]) if (lock.host === client) this.release(path, why);
  }

  private release(path: string, why: string): void {
    this.locks.delete(path);
    this.world.kernel.marks.hit(`shared-store.lock-released.${why}`);
    this.world.kernel.trace.record("shared-store.lock", `${this.node!.name}:${path}`, 0, 0);
  }

  private fileOf(path: string): DiskFile {
    let file = this.files.get(path);
    if (file === undefined) {
      file = this.disk!.open(`export/${path}`);
      this.files.set(path, file);
    }
    return file;
  }

  private answer(pending: Pending, reply: SharedStoreReply): void {
    pending.reply = reply;
    this.send(pending.endpoint, reply);
  }

  private send(endpoint: Endpoint, reply: SharedStoreReply): void {
    if (this.node !== null && this.node.isProcessAlive) endpoint.send(reply, sharedStoreBytesOf(reply));
  }
}
