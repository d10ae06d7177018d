/**
 * KahaDB as a message store (KahaDBStore / MessageDatabase, tag
 * activemq-5.18.7; docs/research/activemq-facts.md §1): every change is a
 * journal command (a message added to a destination, a message removed by
 * its acknowledgement), and the index of what each destination holds is
 * rebuilt from the journal at start.
 *
 * - addMessage journals a KahaAddMessageCommand, a sync store when the
 *   strategy is ALWAYS and the producer waits for the answer
 *   (responseRequired), and calls back when the journal has it;
 * - removeMessage journals a KahaRemoveMessageCommand, async unless the ack
 *   asked for a response (acks are async by default);
 * - recovery reads the journal files in order and replays every intact
 *   batch up to the first a power loss tore (the journal's
 *   lastAppendLocation: index entries past it are dropped), then appends to
 *   a fresh file.
 *
 * Where the model differs: the index (db.data) is not a file of its own,
 * checkpoints are not modelled, and recovery always replays the whole
 * journal (the real one replays from the last checkpoint); no journal file
 * is ever cleaned up.
 */
import type { Marks } from "../../kernel/index.js";
import type { WorldNode } from "../../world/node.js";
import type { JournalStorage, StoredRecord } from "./journal-storage.js";
import { KahaDbJournal, type JournalCallback, type KahaDbJournalOptions } from "./kahadb-journal.js";

/** A message as the store keeps it: the producer's message id (producer and sequence) and the history's id. */
export interface StoredMessage {
  /** MessageId: "producerId:sequence" (openwire.ts messageIdOf), and its two parts (the producer audit's keys). */
  readonly messageId: string;
  readonly producerId: string;
  readonly sequence: number;
  /** The history's id of the message. */
  readonly id: number;
  readonly bodyBytes: number;
}

export type KahaCommand =
  | { op: "add"; destination: string; message: StoredMessage }
  | { op: "remove"; destination: string; messageId: string }
  /** A committed transaction's adds and acks (its KahaAddMessageCommands, KahaRemoveMessageCommands and KahaCommitCommand, as one record). */
  | { op: "commit"; adds: readonly TransactionAdd[]; removes: readonly TransactionRemove[] };

/** A message a transaction sends. */
export interface TransactionAdd {
  readonly destination: string;
  readonly message: StoredMessage;
}

/** A message a transaction acknowledges (a transacted consumer's ack): removed when the transaction commits. */
export interface TransactionRemove {
  readonly destination: string;
  readonly messageId: string;
}

/** Estimate: a KahaAddMessageCommand's bytes beside the body (the OpenWire-marshalled headers and properties, the command's own fields). */
export const ADD_COMMAND_OVERHEAD_BYTES = 250;
/** Estimate: a KahaCommitCommand (the transaction id). */
export const COMMIT_COMMAND_BYTES = 60;
/** Estimate: a KahaRemoveMessageCommand (destination, message id, ack). */
export const REMOVE_COMMAND_BYTES = 120;

export class KahaDbStore {
  private journalNow: KahaDbJournal | null = null;
  /** Per destination, its messages in store order (Map order), by message id. */
  private readonly destinations = new Map<string, Map<string, StoredMessage>>();
  private onRecovered: (() => void) | null = null;
  private readonly onFileReadBound = (records: readonly StoredRecord[], file: number): void => this.onFileRead(records, file);

  constructor(
    private readonly node: WorldNode,
    private readonly storage: JournalStorage,
    private readonly options: KahaDbJournalOptions,
    private readonly marks: Marks,
  ) {}

  get journal(): KahaDbJournal {
    return this.journalNow!;
  }

  get isOpen(): boolean {
    return this.journalNow !== null;
  }

  /** Reads and replays the journal, then opens it for appends; `done` once the store can be used. */
  recover(done: () => void): void {
    this.onRecovered = done;
    this.storage.readAll(KahaDbJournal.pathOf(1), this.onFileReadBound, 1);
  }

  /** The destination's messages, oldest first. */
  messages(destination: string): StoredMessage[] {
    return [...(this.destinations.get(destination)?.values() ?? [])];
  }

  addMessage<A>(destination: string, message: StoredMessage, isResponseRequired: boolean, done: JournalCallback<A> | null, arg: A): void {
    const command: KahaCommand = { op: "add", destination, message };
    this.apply(command);
    this.journal.append(command, ADD_COMMAND_OVERHEAD_BYTES + message.bodyBytes, isResponseRequired, done, arg);
  }

  /**
   * A transaction's commit: its adds, its acks' removes and the commit
   * record, journaled together (the real adds and removes went to the
   * journal unsynced as they came; the commit record syncs under ALWAYS);
   * `done` once the commit is durable. Recovery applies a transaction's
   * adds and removes only with its commit.
   */
  commitTransaction<A>(adds: readonly TransactionAdd[], removes: readonly TransactionRemove[], done: JournalCallback<A>, arg: A): void {
    const command: KahaCommand = { op: "commit", adds, removes };
    this.apply(command);
    const addBytes = adds.reduce((sum, add) => sum + ADD_COMMAND_OVERHEAD_BYTES + add.message.bodyBytes, COMMIT_COMMAND_BYTES);
    const bytes = addBytes + removes.length * REMOVE_COMMAND_BYTES;
    this.journal.append(command, bytes, true, done, arg);
  }

  removeMessage(destination: string, messageId: string): void {
    const command: KahaCommand = { op: "remove", destination, messageId };
    this.apply(command);
    this.journal.append(command, REMOVE_COMMAND_BYTES, false, null, null);
  }

  private onFileRead(records: readonly StoredRecord[], file: number): void {
    if (records.length === 0) return this.open(file);
    for (const record of records) {
      // A torn batch fails its checksum: the journal ends there.
      if (record.torn) {
        this.marks.hit("activemq.kahadb.torn-batch");
        return this.open(file + 1);
      }
      for (const command of record.value as readonly KahaCommand[]) this.apply(command);
    }
    this.storage.readAll(KahaDbJournal.pathOf(file + 1), this.onFileReadBound, file + 1);
  }

  private open(firstFile: number): void {
    this.journalNow = new KahaDbJournal(this.node, this.storage, this.options, firstFile);
    const done = this.onRecovered;
    this.onRecovered = null;
    done?.();
  }

  private apply(command: KahaCommand): void {
    if (command.op === "commit") {
      for (const add of command.adds) this.apply({ op: "add", destination: add.destination, message: add.message });
      for (const remove of command.removes) this.apply({ op: "remove", destination: remove.destination, messageId: remove.messageId });
      return;
    }
    let messages = this.destinations.get(command.destination);
    if (messages === undefined) {
      messages = new Map<string, StoredMessage>();
      this.destinations.set(command.destination, messages);
    }
    if (command.op === "add") messages.set(command.message.messageId, command.message);
    else messages.delete(command.messageId);
  }
}
