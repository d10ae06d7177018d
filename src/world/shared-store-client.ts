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

export class SharedStoreClient {
  private readonly link: ReconnectingLink<SharedStoreMessage>;
  /** Sent and unanswered, in send order (resent after a reconnect). */
  private readonly outstanding = new Map<number, Outstanding>();
  private idNext: number;
  private readonly leaseNs: number;
  private isStopped = false;
  private readonly onRenewBound = (): void => this.onRenew();

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
      { onOpen: () => this.resend(), onMessage: (message) => this.onReply(message as SharedStoreReply), onDown: () => undefined },
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

  write<A>(path: string, record: unknown, bytes: number, done: SharedStoreCallback<A>, arg: A): void {
    this.call({ kind: "WRITE", id: this.nextId(), path, record, bytes }, done, arg);
  }

  commit<A>(path: string, done: SharedStoreCallback<A>, arg: A): void {
    this.call({ kind: "COMMIT", id: this.nextId(), path }, done, arg);
  }

  read<A>(path: string, fromIndex: number, count: number, done: SharedStoreCallback<A>, arg: A): void {
    this.call({ kind: "READ", id: this.nextId(), path, fromIndex, count }, done, arg);
  }

  /** A non-blocking lock attempt: LOCK_GRANTED or LOCK_DENIED (the caller polls, as SharedFileLocker does). */
  tryLock<A>(path: string, done: SharedStoreCallback<A>, arg: A): void {
    this.call({ kind: "LOCK", id: this.nextId(), path, owner: this.owner }, done, arg);
  }

  unlock(path: string): void {
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

  /** A new connection: everything unanswered goes again, in its order (a hard mount retries for ever). */
  private resend(): void {
    for (const { request } of this.outstanding.values()) this.link.request(request, request.id);
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
