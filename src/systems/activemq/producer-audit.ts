/**
 * The broker's producer audit (ActiveMQMessageAudit on the broker side):
 * each producer's highest stored sequence, so a send the failover transport
 * resends after a broker change is dropped when the store already holds it.
 * Rebuilt from the store at recovery. Kept as one number per producer, as
 * sends are answered in order (where the real audit keeps a window).
 */
import type { StoredMessage } from "./kahadb-store.js";

export class ProducerAudit {
  private readonly highest = new Map<string, number>();

  clear(): void {
    this.highest.clear();
  }

  /** A message is in the store: its producer's sequences up to it are known. */
  noteStored(message: StoredMessage): void {
    if (message.sequence > (this.highest.get(message.producerId) ?? -1)) this.highest.set(message.producerId, message.sequence);
  }

  /** Whether a send with this producer's sequence is already stored (a resend). */
  isDuplicate(producerId: string, sequence: number): boolean {
    return sequence <= (this.highest.get(producerId) ?? -1);
  }
}
