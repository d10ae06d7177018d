/**
 * The records a consumer fetched and the application has not polled yet
 * (the Java client's FetchBuffer): one chunk per fetched batch, oldest
 * first. poll() hands out a chunk, or the first part of one when it holds
 * more than max.poll.records.
 */
import { assert } from "../../kernel/index.js";

/** Records handed to the application by one poll: consecutive offsets of one partition. */
export interface PolledRecords {
  topicPartition: string;
  /** Offset of the first record. */
  position: number;
  idFirst: number;
  count: number;
}

export class FetchBuffer {
  private chunks: PolledRecords[] = [];

  get length(): number {
    return this.chunks.length;
  }

  /** The oldest chunk, or undefined when nothing is buffered. */
  head(): PolledRecords | undefined {
    return this.chunks[0];
  }

  /** The chunk `index` places from the oldest. */
  at(index: number): PolledRecords {
    return this.chunks[index]!;
  }

  push(chunk: PolledRecords): void {
    assert(chunk.count > 0, `${chunk.topicPartition}: an empty chunk at ${chunk.position}`);
    this.chunks.push(chunk);
  }

  /** Removes the oldest chunk and returns it whole. */
  shift(): PolledRecords {
    const chunk = this.chunks.shift();
    assert(chunk !== undefined, "shift of an empty fetch buffer");
    return chunk;
  }

  /** The first `count` records of the oldest chunk, which keeps the rest. */
  takeFromHead(count: number): PolledRecords {
    const head = this.chunks[0];
    assert(head !== undefined && count > 0 && count < head.count, `take of ${count} records from a head of ${head?.count ?? 0}`);
    const taken: PolledRecords = { topicPartition: head.topicPartition, position: head.position, idFirst: head.idFirst, count };
    head.position += count;
    head.idFirst += count;
    head.count -= count;
    return taken;
  }

  /** Drops every chunk of one partition (a seek or a revocation). */
  dropPartition(topicPartition: string): void {
    this.chunks = this.chunks.filter((chunk) => chunk.topicPartition !== topicPartition);
  }

  /** Records waiting, all partitions together. */
  recordCount(): number {
    let records = 0;
    for (let index = 0; index < this.chunks.length; index++) records += this.chunks[index]!.count;
    return records;
  }
}
