/**
 * The wire protocol between a shared store's clients and its server (an NFS
 * export in the model's terms): unstable WRITEs and COMMIT (NFSv3's pair:
 * data reaches the server's page cache, then its disk), READ, and byte-range
 * locks on a path (NLM for NFSv3, OPEN/LOCK state under a lease for NFSv4),
 * plus RENEW (NFSv4's lease renewal) and NOTIFY (statd's SM_NOTIFY: "this
 * host rebooted, drop the locks it held").
 *
 * A WRITE names its record's place in the file (`index`, as an NFS WRITE
 * names its offset), so a WRITE sent again rewrites the same place instead
 * of adding a copy. WRITE_OK and COMMIT_OK carry the server's write
 * verifier (its boot): a COMMIT answered by a server that rebooted since
 * the WRITEs it should cover tells the client those writes may be gone
 * with the server's page cache, and it sends them again (RFC 1813 §3.3.7).
 * A LOCK may be a `reclaim` of a lock the client held before the server
 * restarted: during the grace period after a restart only reclaims are
 * granted (RFC 7530 §9.6.2, NLM's grace period).
 */

export const SHARED_STORE_PORT = "nfs";
export const SHARED_STORE_TRAFFIC = "storage";

/** Bytes of an RPC header (ONC RPC + the call's fixed arguments), rounded. */
const RPC_HEADER_BYTES = 120;

export type SharedStoreRequest =
  | { kind: "WRITE"; id: number; path: string; index: number; record: unknown; bytes: number }
  | { kind: "COMMIT"; id: number; path: string }
  | { kind: "READ"; id: number; path: string; fromIndex: number; count: number }
  /** `owner`: the process asking (host and process start, as NLM's caller name and svid). */
  | { kind: "LOCK"; id: number; path: string; owner: string; reclaim: boolean }
  | { kind: "UNLOCK"; id: number; path: string; owner: string }
  | { kind: "RENEW"; id: number }
  | { kind: "NOTIFY"; id: number };

export type SharedStoreReply =
  | { kind: "WRITE_OK"; id: number; verifier: number }
  | { kind: "NOSPC"; id: number }
  | { kind: "COMMIT_OK"; id: number; verifier: number }
  /** The records from the asked index: each value, and whether a power loss tore it (its checksum fails). */
  | { kind: "READ_OK"; id: number; records: readonly { value: unknown; torn: boolean }[]; bytes: number }
  | { kind: "LOCK_GRANTED"; id: number }
  | { kind: "LOCK_DENIED"; id: number }
  | { kind: "OK"; id: number };

export type SharedStoreMessage = SharedStoreRequest | SharedStoreReply;

export function sharedStoreBytesOf(message: SharedStoreMessage): number {
  if (message.kind === "WRITE") return RPC_HEADER_BYTES + message.bytes;
  if (message.kind === "READ_OK") return RPC_HEADER_BYTES + message.bytes;
  return RPC_HEADER_BYTES;
}

/**
 * How a lock outlives a client that goes silent:
 * - "nlm" (NFSv3 + NLM): the server keeps it until the client unlocks it or
 *   its host reboots and says so (SM_NOTIFY); a host that never comes back
 *   holds it for ever. ActiveMQ's docs: after an abnormal termination of the
 *   master "the NFSv3 server does not time out its lock"
 *   (activemq.apache.org, shared-file-system-master-slave).
 * - "lease" (NFSv4): the lock lives while the client renews its lease; a
 *   client silent for `leaseNs` loses it (Linux nfsd's default lease is 90 s;
 *   the ActiveMQ docs quote 30 s).
 * Either way, a client process that dies on a live host releases its locks
 * at once: the host's kernel drops them as the process exits, and its
 * connection closes.
 */
export type LockRecovery = "nlm" | "lease";
