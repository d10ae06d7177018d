/**
 * Which brokers get their next session fetch from the application's poll,
 * as Java's KafkaConsumer.poll does: it collects what arrived, then calls
 * Fetcher.sendFetches "before returning the fetched records", so a
 * partition that just got records is in the next fetch.
 *
 * A broker waits for a poll when its last response brought records, and
 * the leader of the partition just polled is looked at too. It still waits
 * while one of its partitions has records buffered and everything buffered
 * fits in one poll (max.poll.records): Java's poll returns records of every
 * partition at once, so by its sendFetches they are drained and in the
 * fetch; mqsim's application takes one partition per poll, and sending now
 * would leave the others out and park them behind that fetch. Brokers
 * nobody waits for are not looked at: a poll costs O(buffered), not
 * O(partitions).
 */
import type { FetchBuffer } from "./consumer-fetch-buffer.js";

export interface PollFetchesHost {
  /** The partition's leader as the consumer's metadata knows it, or null. */
  leaderOf(topicPartition: string): string | null;
  /** Sends the session fetch to `broker` if it has none in flight (ConsumerFetcher.fetchFrom). */
  fetchFrom(broker: string): void;
}

export class PollFetches {
  private readonly awaiting: string[] = [];

  constructor(
    private readonly host: PollFetchesHost,
    private readonly buffer: FetchBuffer,
    private readonly maxPollRecords: number,
  ) {}

  /** `broker`'s last response brought records: its next fetch waits for the application's poll. */
  awaitPoll(broker: string): void {
    if (!this.awaiting.includes(broker)) this.awaiting.push(broker);
  }

  /** A poll took records of `polledLeader`'s partition (null: none, or the buffer changed otherwise): fetch where no one need wait any more. */
  send(polledLeader: string | null): void {
    if (polledLeader !== null) this.awaitPoll(polledLeader);
    if (this.awaiting.length === 0) return;
    const isOnePoll = this.buffer.recordCount() <= this.maxPollRecords;
    // Taken out first: a fetch may run code that adds a broker to the list again.
    const candidates = this.awaiting.splice(0, this.awaiting.length);
    for (const broker of candidates) {
      if (isOnePoll && this.hasBufferedFrom(broker)) this.awaiting.push(broker);
      else this.host.fetchFrom(broker);
    }
  }

  /** Whether records of a partition `broker` leads wait in the buffer. */
  private hasBufferedFrom(broker: string): boolean {
    for (let index = 0; index < this.buffer.length; index++) {
      if (this.host.leaderOf(this.buffer.at(index).topicPartition) === broker) return true;
    }
    return false;
  }
}
