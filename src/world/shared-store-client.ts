/**
 * A machine's mount of a shared store (shared-store-server.ts), as a
 * process on it sees it: writes, commits (fsync), reads and a tryLock on a
 * path, each answered by callback. Like a "hard" NFS mount, an operation
 * never fails because the server is away: it waits, and is sent again once
 * the connection is back (an RPC unanswered for timeo, 60 s, breaks the
 * connection, which reconnects); the server drops a request it has already
 * answered (its duplicate request cache), so a resent WRITE is not written
 * twice. Under "lease" recovery the client renews its lease every third of
 * it while the store is reachable. On a machine's first process start after
 * it powered on, the client tells the server so (statd's SM_NOTIFY), and the
 * server drops the locks this machine held before.
 *
 * As an NFS client does, it keeps every WRITE the server answered until a
 * COMMIT covering it comes back with the same write verifier; a COMMIT
 * answered by a server that rebooted since (another verifier) means those
 * writes may have died in its page cache, so they are sent again and
 * committed again before the caller hears back. After a reconnection it
 * reclaims the locks its process holds (the server's grace period keeps
 * them for it after a restart); a reclaim denied means the lock is lost.
 */
import type { WorldNode } from "./node.js";
import { ReconnectingLink } from "./reconnecting-link.js";
import { SHARED_STORE_PORT, SHARED_STORE_TRAFFIC, sharedStoreBytesOf, type LockRecovery, type SharedStoreMessage, type SharedStoreReply, type SharedStoreRequest } from "./shared-store-protocol.js";
import { LEASE_DEFAULT_NS } from "./shared-store-server.js";
import type { World } from "./world.js";

const NS_PER_SECOND = 1_000_000_000;
/** NFS over TCP: timeo=600 (tenths of a second). */
const RPC_TIMEOUT_NS = 60 * NS_PER_SECOND;
const RECONNECT_NS = NS_PER_SECOND;

export type SharedStoreCallback<A> = (reply: SharedStoreReply, arg: A) => void;

export interface SharedStoreClientOptions {
  world: World;
  node: WorldNode;
  /** The server's node name. */
  server: string;
  lockRecovery: LockRecovery;
  leaseNs?: number;
}

interface Outstanding {
  request: SharedStoreRequest;
  done: SharedStoreCallback<unknown>;
  arg: unknown;
}

type WriteRequest = Extract<SharedStoreRequest, { kind: "WRITE" }>;

/** A WRITE the server answered, with the verifier it answered with: unstable until a COMMIT with that verifier covers it. */
interface Unstable {
  request: WriteRequest;
  verifier: number;
}

/** A caller's commit: the writes it covers, and the rewrites it still waits for after a verifier changed. */
interface Commit {
  path: string;
  done: SharedStoreCallback<unknown>;
  arg: unknown;
  covered: Unstable[];
  rewritesAwaited: number;
}

/** A caller's lock attempt, to note the lock held when granted. */
interface LockAttempt {
  path: string;
  done: SharedStoreCallback<unknown>;
  arg: unknown;
}

export class SharedStoreClient {
  private readonly link: ReconnectingLink<SharedStoreMessage>;
  /** Sent and unanswered, in send order (resent after a reconnect). */
  private readonly outstanding = new Map<number, Outstanding>();
  private idNext: number;
  private readonly leaseNs: number;
  private isStopped = false;
  private hasOpened = false;
  /** Per path: the place of the next record written. */
  private readonly nextIndexOf = new Map<string, number>();
  /** Per path: WRITEs answered, not yet covered by a COMMIT with their verifier. */
  private readonly unstableOf = new Map<string, Unstable[]>();
  /** The locks this process holds, as far as it knows. */
  private readonly held = new Set<string>();
  private readonly onRenewBound = (): void => this.onRenew();
  private readonly onWrittenBound = (reply: SharedStoreReply, outstanding: Outstanding): void => this.onWritten(reply, outstanding);
  private readonly onCommittedBound = (reply: SharedStoreReply, commit: Commit): void => this.onCommitted(reply, commit);
  private readonly onRewrittenBound = (reply: SharedStoreReply, commit: Commit): void => this.onRewritten(reply, commit);
  private readonly onLockReplyBound = (reply: SharedStoreReply, attempt: LockAttempt): void => this.onLockReply(reply, attempt);
  private readonly onReclaimBound = (reply: SharedStoreReply, path: string): void => this.onReclaim(reply, path);

  constructor(private readonly options: SharedStoreClientOptions) {
    const { world, node } = options;
    this.leaseNs = options.leaseNs ?? LEASE_DEFAULT_NS;
    // Ids unique across the machine's incarnations, as an RPC xid is for the server's duplicate cache.
    this.idNext = node.incarnation * 1_000_000_000 + 1;
    this.link = new ReconnectingLink<SharedStoreMessage>(
      {
        world,
        node,
        hosts: [world.node(options.server)],
        port: SHARED_STORE_PORT,
        trafficClass: SHARED_STORE_TRAFFIC,
        bytesOf: sharedStoreBytesOf,
        reconnectBackoffNs: RECONNECT_NS,
        requests: { timeoutNs: RPC_TIMEOUT_NS, answerOf: (message) => ("id" in message ? message.id : undefined), timeoutMark: "shared-store.rpc-timeout", timers: "per-request", isAnswersOnly: true },
      },
      { onOpen: () => this.onOpen(), onMessage: (message) => this.onReply(message as SharedStoreReply), onDown: () => undefined },
    );
  }

  /** Connects; on a machine's first start since power-on, NOTIFY first; under "lease", renews from now on. */
  start(): void {
    if (this.options.node.isFreshBoot) this.call({ kind: "NOTIFY", id: this.nextId() }, noop, null);
    this.link.connect();
    if (this.options.lockRecovery === "lease") this.options.node.after(Math.floor(this.leaseNs / 3), this.onRenewBound);
  }

  stop(): void {
    this.isStopped = true;
    this.link.close();
  }

  /** Writes the next record of the file, or the record at `atIndex` (a lock file rewritten in place). */
  write<A>(path: string, record: unknown, bytes: number, done: SharedStoreCallback<A>, arg: A, atIndex?: number): void {
    const index = atIndex ?? this.nextIndexOf.get(path) ?? 0;
    this.nextIndexOf.set(path, index + 1);
    this.sendWrite({ kind: "WRITE", id: this.nextId(), path, index, record, bytes }, done as SharedStoreCallback<unknown>, arg);
  }

  commit<A>(path: string, done: SharedStoreCallback<A>, arg: A): void {
    this.sendCommit({ path, done: done as SharedStoreCallback<unknown>, arg, covered: [], rewritesAwaited: 0 });
  }

  read<A>(path: string, fromIndex: number, count: number, done: SharedStoreCallback<A>, arg: A): void {
    this.call({ kind: "READ", id: this.nextId(), path, fromIndex, count }, done, arg);
  }

  /** A non-blocking lock attempt: LOCK_GRANTED or LOCK_DENIED (the caller polls, as SharedFileLocker does). */
  tryLock<A>(path: string, done: SharedStoreCallback<A>, arg: A): void {
    const attempt: LockAttempt = { path, done: done as SharedStoreCallback<unknown>, arg };
    this.call({ kind: "LOCK", id: this.nextId(), path, owner: this.owner, reclaim: false }, this.onLockReplyBound, attempt);
  }

  unlock(path: string): void {
    this.held.delete(path);
    this.call({ kind: "UNLOCK", id: this.nextId(), path, owner: this.owner }, noop, null);
  }

  /** This process as a lock owner: its host and its start. */
  private get owner(): string {
    return `${this.options.node.name}#${this.options.node.incarnation}`;
  }

  private nextId(): number {
    return this.idNext++;
  }

  private call<A>(request: SharedStoreRequest, done: SharedStoreCallback<A>, arg: A): void {
    if (this.isStopped) return;
    this.outstanding.set(request.id, { request, done: done as SharedStoreCallback<unknown>, arg });
    if (this.link.isEstablished) this.link.request(request, request.id);
    else this.link.ensureConnecting();
  }

  /** A new connection: the locks held are reclaimed, then everything unanswered goes again, in its order (a hard mount retries for ever). */
  private onOpen(): void {
    const isReconnect = this.hasOpened;
    this.hasOpened = true;
    const unanswered = [...this.outstanding.values()];
    if (isReconnect) for (const path of this.held) this.call({ kind: "LOCK", id: this.nextId(), path, owner: this.owner, reclaim: true }, this.onReclaimBound, path);
    for (const { request } of unanswered) this.link.request(request, request.id);
  }

  private onReclaim(reply: SharedStoreReply, path: string): void {
    if (reply.kind === "LOCK_GRANTED") return;
    this.held.delete(path);
    this.options.world.kernel.marks.hit("shared-store.client.reclaim-denied");
  }

  private onLockReply(reply: SharedStoreReply, attempt: LockAttempt): void {
    if (reply.kind === "LOCK_GRANTED") this.held.add(attempt.path);
    attempt.done(reply, attempt.arg);
  }

  private sendWrite(request: WriteRequest, done: SharedStoreCallback<unknown>, arg: unknown): void {
    const outstanding: Outstanding = { request, done, arg };
    this.call(request, this.onWrittenBound, outstanding);
  }

  /** A WRITE answered: kept as unstable (with the verifier) until a COMMIT covers it, then the caller hears. */
  private onWritten(reply: SharedStoreReply, outstanding: Outstanding): void {
    if (reply.kind === "WRITE_OK") {
      const request = outstanding.request as WriteRequest;
      let unstable = this.unstableOf.get(request.path);
      if (unstable === undefined) {
        unstable = [];
        this.unstableOf.set(request.path, unstable);
      }
      unstable.push({ request, verifier: reply.verifier });
    }
    outstanding.done(reply, outstanding.arg);
  }

  /** The COMMIT covers every WRITE answered so far on its path. */
  private sendCommit(commit: Commit): void {
    commit.covered = this.unstableOf.get(commit.path) ?? [];
    this.unstableOf.set(commit.path, []);
    this.call({ kind: "COMMIT", id: this.nextId(), path: commit.path }, this.onCommittedBound, commit);
  }

  /** A verifier other than a covered write's: the server rebooted since, and that write may be gone; write it again, then commit again. */
  private onCommitted(reply: SharedStoreReply, commit: Commit): void {
    const verifier = reply.kind === "COMMIT_OK" ? reply.verifier : -1;
    const first = commit.covered.findIndex((entry) => entry.verifier !== verifier);
    if (first < 0) return commit.done(reply, commit.arg);
    // From the first write that may be gone, every later one goes again too: the rewrite at its place cuts the file back there.
    const lost = commit.covered.slice(first);
    this.options.world.kernel.marks.hit("shared-store.client.rewrite");
    commit.rewritesAwaited = lost.length;
    for (const { request } of lost) this.sendWrite({ ...request, id: this.nextId() }, this.onRewrittenBound as SharedStoreCallback<unknown>, commit);
  }

  private onRewritten(_: SharedStoreReply, commit: Commit): void {
    commit.rewritesAwaited--;
    if (commit.rewritesAwaited === 0) this.sendCommit(commit);
  }

  private onReply(reply: SharedStoreReply): void {
    const waiting = this.outstanding.get(reply.id);
    if (waiting === undefined) return;
    this.outstanding.delete(reply.id);
    waiting.done(reply, waiting.arg);
  }

  private onRenew(): void {
    if (this.isStopped) return;
    this.call({ kind: "RENEW", id: this.nextId() }, noop, null);
    this.options.node.after(Math.floor(this.leaseNs / 3), this.onRenewBound);
  }
}

function noop(): void {}
