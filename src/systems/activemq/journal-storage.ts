/**
 * Where a KahaDB journal's files live: the broker machine's own disk, or a
 * shared store mounted over the network (shared file system master/slave,
 * src/world/shared-store-client.ts). The journal sees the same two calls
 * either way: write(2) of a batch, which returns once the bytes are in a
 * page cache (the local one, or the server's after its WRITE answer), and
 * fsync, which returns once they are on the device (the local disk, or the
 * server's after COMMIT). A write the device has no room for fails
 * ("disk-full"), as an IOException does.
 */
import type { Disk, DiskFile } from "../../world/disk.js";
import type { SharedStoreClient } from "../../world/shared-store-client.js";
import type { SharedStoreReply } from "../../world/shared-store-protocol.js";

/** "sql-error": a JDBC statement failed (the database unreachable), which the broker survives. */
export type StorageResult = "ok" | "disk-full" | "sql-error";
export type StorageCallback<A> = (result: StorageResult, arg: A) => void;

/** A record as a read finds it: its value, and whether a power loss tore it (its checksum fails). */
export interface StoredRecord {
  readonly value: unknown;
  readonly torn: boolean;
}
export type ReadCallback<A> = (records: readonly StoredRecord[], arg: A) => void;

export interface JournalStorage {
  write<A>(path: string, record: unknown, bytes: number, done: StorageCallback<A>, arg: A): void;
  sync<A>(path: string, done: StorageCallback<A>, arg: A): void;
  /** Every record of a file (none for a file that does not exist). */
  readAll<A>(path: string, done: ReadCallback<A>, arg: A): void;
  /** The broker's own disk, or a shared store's. */
  readonly kind: "local" | "shared";
}

/** A caller's callback and argument, carried through a shared store's reply (no closure per call). */
interface Waiter {
  done: StorageCallback<unknown>;
  arg: unknown;
}

/** The journal on the broker's own disk. */
export class LocalJournalStorage implements JournalStorage {
  readonly kind = "local";
  private readonly files = new Map<string, DiskFile>();

  constructor(private readonly disk: Disk) {}

  /** The write returns after its memory copy, or, over the dirty limit, once writeback lets it (balance_dirty_pages). */
  write<A>(path: string, record: unknown, bytes: number, done: StorageCallback<A>, arg: A): void {
    if (this.disk.append(this.fileOf(path), record, bytes, done as StorageCallback<unknown>, arg) === "disk-full") done("disk-full", arg);
  }

  sync<A>(path: string, done: StorageCallback<A>, arg: A): void {
    this.disk.fsync(this.fileOf(path), done as StorageCallback<unknown>, arg);
  }

  readAll<A>(path: string, done: ReadCallback<A>, arg: A): void {
    const file = this.fileOf(path);
    this.disk.read(file, 0, file.recordCount, done as ReadCallback<unknown>, arg);
  }

  private fileOf(path: string): DiskFile {
    let file = this.files.get(path);
    if (file === undefined) {
      file = this.disk.open(path);
      this.files.set(path, file);
    }
    return file;
  }
}

/** The journal on a shared store: every write a WRITE, every sync a COMMIT, to the store's server. */
export class SharedJournalStorage implements JournalStorage {
  readonly kind = "shared";

  private readonly onWrittenBound = (reply: SharedStoreReply, waiter: Waiter): void => waiter.done(reply.kind === "NOSPC" ? "disk-full" : "ok", waiter.arg);
  private readonly onCommittedBound = (_: SharedStoreReply, waiter: Waiter): void => waiter.done("ok", waiter.arg);
  private readonly onReadBound = (reply: SharedStoreReply, reader: { done: ReadCallback<unknown>; arg: unknown }): void =>
    reader.done(reply.kind === "READ_OK" ? reply.records : [], reader.arg);

  constructor(private readonly client: SharedStoreClient) {}

  write<A>(path: string, record: unknown, bytes: number, done: StorageCallback<A>, arg: A): void {
    this.client.write(path, record, bytes, this.onWrittenBound, { done: done as StorageCallback<unknown>, arg });
  }

  sync<A>(path: string, done: StorageCallback<A>, arg: A): void {
    this.client.commit(path, this.onCommittedBound, { done: done as StorageCallback<unknown>, arg });
  }

  readAll<A>(path: string, done: ReadCallback<A>, arg: A): void {
    this.client.read(path, 0, Number.MAX_SAFE_INTEGER, this.onReadBound, { done: done as ReadCallback<unknown>, arg });
  }
}
