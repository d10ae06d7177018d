/**
 * The client connection's duplicate detection (checkForDuplicates, on by
 * default; activemq-client ConnectionAudit.java, ActiveMQMessageAuditNoSync
 * and util/BitArrayBin.java, tag activemq-5.18.7; docs/research/
 * activemq-facts.md §6).
 *
 * Per queue, per producer (the 64 most recently seen: an LRU), a window of
 * auditDepth (2048) producer sequence ids rounded up to 64-bit words
 * (2112): a message given to the listener sets its bit, and one whose bit
 * is already set is a duplicate. The window starts at the first sequence
 * seen (rounded down to 64) and slides forward as higher ones come; one
 * below it is never a duplicate. A rollback clears the bit so the session
 * may give it again. The audit belongs to the connection object, so it
 * outlives a failover (the transport reconnects under it) but not the
 * client process.
 */
import { assert } from "../../kernel/index.js";

/** ActiveMQMessageAudit.DEFAULT_WINDOW_SIZE */
export const AUDIT_DEPTH_DEFAULT = 2_048;
/** ActiveMQMessageAudit.MAXIMUM_PRODUCER_COUNT */
export const AUDIT_MAXIMUM_PRODUCER_NUMBER_DEFAULT = 64;
/** BitArray.LONG_SIZE */
const WORD_BITS = 64;

/** One producer's window of sequence ids (BitArrayBin): a ring of bits over [firstIndex, firstIndex + capacity). */
class SequenceWindow {
  private readonly words: number;
  private readonly bits: Uint8Array;
  private firstIndex = -1;

  constructor(depth: number) {
    this.words = Math.floor((depth + 1) / WORD_BITS) + 1;
    this.bits = new Uint8Array(this.words * WORD_BITS);
  }

  /** Sets or clears the bit of `index`; its value before (false for one below the window). */
  set(index: number, isSet: boolean): boolean {
    assert(Number.isSafeInteger(index) && index >= 0, `sequence ${index}`);
    if (this.firstIndex < 0) this.firstIndex = index - (index % WORD_BITS);
    if (index < this.firstIndex) return false;
    const word = Math.floor((index - this.firstIndex) / WORD_BITS);
    if (word >= this.words) this.slide(word - this.words + 1);
    const slot = index % this.bits.length;
    const wasSet = this.bits[slot] === 1;
    this.bits[slot] = isSet ? 1 : 0;
    return wasSet;
  }

  /** Drops the oldest `words` words: their bits are cleared for the indices that take their slots. */
  private slide(words: number): void {
    const cleared = Math.min(words, this.words) * WORD_BITS;
    for (let k = 0; k < cleared; k++) this.bits[(this.firstIndex + k) % this.bits.length] = 0;
    this.firstIndex += words * WORD_BITS;
  }
}

/** One queue's audit: a window per producer, the least recently used dropped past the producer limit. */
class MessageAudit {
  /** Map order is use order (an access-ordered LRUCache): the first entry is the eldest. */
  private readonly producers = new Map<string, SequenceWindow>();

  constructor(
    private readonly depth: number,
    private readonly producerMax: number,
  ) {}

  isDuplicate(producerId: string, sequence: number): boolean {
    let window = this.producers.get(producerId);
    if (window === undefined) window = new SequenceWindow(this.depth);
    else this.producers.delete(producerId);
    this.producers.set(producerId, window);
    if (this.producers.size > this.producerMax) this.producers.delete(this.producers.keys().next().value!);
    return window.set(sequence, true);
  }

  rollback(producerId: string, sequence: number): void {
    const window = this.producers.get(producerId);
    if (window === undefined) return;
    this.producers.delete(producerId);
    this.producers.set(producerId, window);
    window.set(sequence, false);
  }
}

export interface ConnectionAuditOptions {
  /** ActiveMQConnectionFactory.auditDepth */
  auditDepth: number;
  /** ActiveMQConnectionFactory.auditMaximumProducerNumber */
  auditMaximumProducerNumber: number;
}

export class ConnectionAudit {
  private readonly queues = new Map<string, MessageAudit>();

  constructor(private readonly options: ConnectionAuditOptions = { auditDepth: AUDIT_DEPTH_DEFAULT, auditMaximumProducerNumber: AUDIT_MAXIMUM_PRODUCER_NUMBER_DEFAULT }) {
    assert(options.auditDepth >= 1 && options.auditMaximumProducerNumber >= 1, "audit depth and producer number ≥ 1");
  }

  /** The message is about to go to the listener: true when this connection already gave it (its bit was set); it is marked either way. */
  isDuplicate(queue: string, producerId: string, sequence: number): boolean {
    let audit = this.queues.get(queue);
    if (audit === undefined) {
      audit = new MessageAudit(this.options.auditDepth, this.options.auditMaximumProducerNumber);
      this.queues.set(queue, audit);
    }
    return audit.isDuplicate(producerId, sequence);
  }

  /** A rolled-back delivery (or one the connection must get again): it may be given to the listener again. */
  rollbackDuplicate(queue: string, producerId: string, sequence: number): void {
    this.queues.get(queue)?.rollback(producerId, sequence);
  }
}
