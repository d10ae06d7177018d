/**
 * One ProduceRequest on the broker while its partitions answer: each
 * partition's replica answers its part (at once, or from the purgatory when
 * the high watermark or a flush comes), and the request is answered once,
 * when the last part is (Kafka's DelayedProduce over every partition of the
 * request). An acks=0 request is never answered: a part that fails closes
 * the connection instead (KafkaApis.handleProduceRequest), so the producer
 * sees the disconnect and refreshes its metadata rather than write into a
 * broker that drops everything.
 *
 * It is also the handler thread's view of the request: the thread is held
 * while any append's write() is blocked on the dirty limit, and nothing is
 * answered before every write has returned (Kafka answers from the handler
 * thread, or from the purgatory, which the request enters only after its
 * appends). When the answer is out (or, for acks=0, the request handled),
 * the connection takes its next request.
 */
import { assert } from "../../kernel/index.js";
import type { WriteWaiter } from "./partition-log.js";
import { wireBytesOf, type KafkaError, type ProducePartResult, type ProduceRequest } from "./protocol.js";
import type { BrokerRequest } from "./request-channel.js";

export class ProduceAnswer implements WriteWaiter {
  private readonly request: BrokerRequest;
  private readonly correlationId: number;
  private readonly acks: -1 | 0 | 1;
  private readonly results: ProducePartResult[];
  private remaining: number;
  private writesBlocked = 0;
  private isHandled = false;
  private isFinished = false;

  constructor(request: BrokerRequest, message: ProduceRequest) {
    this.request = request;
    this.correlationId = message.correlationId;
    this.acks = message.acks;
    this.remaining = message.parts.length;
    const results: ProducePartResult[] = [];
    for (let partIndex = 0; partIndex < message.parts.length; partIndex++) {
      const part = message.parts[partIndex]!;
      results.push({ topicPartition: part.topicPartition, error: "NONE", baseOffset: -1 });
    }
    this.results = results;
  }

  /** Part `index` is done: `error` and, when NONE, where its batch landed. */
  answer(index: number, error: KafkaError, baseOffset: number): void {
    const result = this.results[index]!;
    assert(this.remaining > 0 && result.baseOffset === -1 && result.error === "NONE", `part ${index} of produce ${this.correlationId} answered twice`);
    result.error = error;
    result.baseOffset = error === "NONE" ? baseOffset : -1;
    this.remaining--;
    if (this.acks === 0 && error !== "NONE" && this.request.endpoint.isOpen) this.request.endpoint.close();
    this.maybeFinish();
  }

  /** The handler thread has offered every part to its partition. */
  handled(): void {
    assert(!this.isHandled, `produce ${this.correlationId} handled twice`);
    this.isHandled = true;
    if (this.writesBlocked === 0) this.request.releaseThread();
    this.maybeFinish();
  }

  onWriteBlocked(): void {
    assert(!this.isHandled, `produce ${this.correlationId}: a write blocked after handling`);
    this.writesBlocked++;
  }

  onWriteReturned(): void {
    assert(this.writesBlocked > 0, `produce ${this.correlationId}: a write returned that never blocked`);
    this.writesBlocked--;
    if (this.writesBlocked > 0 || !this.isHandled) return;
    this.request.releaseThread();
    this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.isFinished || !this.isHandled || this.writesBlocked > 0 || this.remaining > 0) return;
    this.isFinished = true;
    const endpoint = this.request.endpoint;
    if (this.acks !== 0 && endpoint.isOpen) {
      const response = { kind: "produce-response" as const, correlationId: this.correlationId, parts: this.results };
      endpoint.send(response, wireBytesOf(response));
    }
    this.request.finish();
  }
}
