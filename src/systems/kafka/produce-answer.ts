/**
 * One ProduceRequest on the broker while its partitions answer: each
 * partition's replica answers its part (at once, or from the purgatory when
 * the high watermark or a flush comes), and the request is answered once,
 * when the last part is (Kafka's DelayedProduce over every partition of the
 * request). An acks=0 request is never answered: a part that fails closes
 * the connection instead (KafkaApis.handleProduceRequest), so the producer
 * sees the disconnect and refreshes its metadata rather than write into a
 * broker that drops everything.
 */
import { assert } from "../../kernel/assert.js";
import type { Endpoint } from "../../world/connection.js";
import { wireBytesOf, type KafkaError, type ProducePartResult, type ProduceRequest } from "./protocol.js";

export class ProduceAnswer {
  private readonly endpoint: Endpoint;
  private readonly correlationId: number;
  private readonly acks: -1 | 0 | 1;
  private readonly results: ProducePartResult[];
  private remaining: number;

  constructor(endpoint: Endpoint, request: ProduceRequest) {
    this.endpoint = endpoint;
    this.correlationId = request.correlationId;
    this.acks = request.acks;
    this.remaining = request.parts.length;
    this.results = request.parts.map((part) => ({ topicPartition: part.topicPartition, error: "NONE", baseOffset: -1 }));
  }

  /** Part `index` is done: `error` and, when NONE, where its batch landed. */
  answer(index: number, error: KafkaError, baseOffset: number): void {
    const result = this.results[index]!;
    assert(this.remaining > 0 && result.baseOffset === -1 && result.error === "NONE", `part ${index} of produce ${this.correlationId} answered twice`);
    result.error = error;
    result.baseOffset = error === "NONE" ? baseOffset : -1;
    this.remaining--;
    if (this.acks === 0) {
      if (error !== "NONE" && this.endpoint.isOpen) this.endpoint.close();
      return;
    }
    if (this.remaining > 0 || !this.endpoint.isOpen) return;
    const response = { kind: "produce-response" as const, correlationId: this.correlationId, parts: this.results };
    this.endpoint.send(response, wireBytesOf(response));
  }
}
