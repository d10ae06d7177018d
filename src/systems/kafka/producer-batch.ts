/**
 * A producer-side record batch (Kafka's ProducerBatch) and how the producer
 * reads the errors its attempts end with.
 *
 * A batch is the unit of everything on the producer: it is sealed whole, sent
 * whole, retried whole, and gets one outcome in the history. Its life:
 *
 *   open ──seal──▶ queued ──send──▶ in-flight ──response ok──▶ done (ok)
 *                    ▲                  │
 *                    └──retry backoff───┘ (retriable failure)
 *
 * and from any state but open, delivery.timeout.ms ends it (done: error or
 * unknown). A done batch may still have a request in flight; its response is
 * then ignored, as Kafka ignores responses for batches it already expired.
 */
import type { SendOutcome } from "../../history/history.js";
import type { TimeNs } from "../../kernel/index.js";
import { isRetriable, type KafkaError } from "./protocol.js";

/**
 * Kafka's record batch header (magic v2): base offset, length, epoch, magic,
 * CRC, attributes, offsets, timestamps, producer id/epoch, base sequence and
 * the record count — 61 bytes (DefaultRecordBatch.RECORD_BATCH_OVERHEAD).
 */
export const RECORD_BATCH_HEADER_BYTES = 61;

/**
 * Errors a produce attempt can end with on the producer side: the broker's
 * error codes plus the client's own names for a broken connection (Kafka's
 * Errors.NETWORK_EXCEPTION) and for delivery.timeout.ms expiring (Kafka
 * raises a TimeoutException, which has no error code).
 */
export type ProduceError = KafkaError | "NETWORK_EXCEPTION" | "DELIVERY_TIMEOUT";

export type ProducerBatchState = "open" | "queued" | "in-flight" | "done";

export class ProducerBatch {
  readonly topicPartition: string;
  /** When the first message was appended: delivery.timeout.ms counts from here (KIP-91). */
  readonly createdNs: TimeNs;
  state: ProducerBatchState = "open";
  count = 0;
  bytes = RECORD_BATCH_HEADER_BYTES;
  /** First message id; ids are reserved when the batch is sealed. */
  idFirst = -1;
  /** Callbacks of the sends whose last message is in this batch (Kafka's per-record Callback), run at its send-result. */
  completions: ((outcome: SendOutcome) => void)[] | null = null;
  /** Idempotent producer id and sequence, fixed at the first send and reused by every retry (KIP-98). */
  producerId = -1;
  baseSequence = -1;
  /** Sends so far (first attempt included). */
  attempts = 0;
  /** Retries used so far; the batch fails for good when this reaches `retries`. */
  retriesUsed = 0;
  /** A retried batch waits for retry.backoff.ms before it is sent again. */
  retryAtNs: TimeNs = 0;
  /**
   * True once an attempt ended without telling whether the broker wrote the
   * batch (request timeout, broken connection, NOT_ENOUGH_REPLICAS_AFTER_APPEND):
   * from then on the batch can never be reported as definitely not written.
   */
  mightBeWritten = false;

  constructor(topicPartition: string, createdNs: TimeNs) {
    this.topicPartition = topicPartition;
    this.createdNs = createdNs;
  }

  get hasSequence(): boolean {
    return this.baseSequence >= 0;
  }

  /** Orders sequenced batches: by producer id (newer ids are larger), then sequence. */
  sequencedBefore(other: ProducerBatch): boolean {
    if (this.producerId !== other.producerId) return this.producerId < other.producerId;
    return this.baseSequence < other.baseSequence;
  }
}

/**
 * Errors after which the broker may hold the batch even though the attempt
 * failed: the request reached the wire and no answer came back, or the
 * leader appended it but could not replicate it in time (acks=all's
 * REQUEST_TIMED_OUT and NOT_ENOUGH_REPLICAS_AFTER_APPEND both mean "in the
 * leader's log, not yet committed").
 */
export function mayHaveBeenWritten(error: ProduceError): boolean {
  return (
    error === "NETWORK_EXCEPTION" ||
    error === "REQUEST_TIMED_OUT" ||
    error === "NOT_ENOUGH_REPLICAS_AFTER_APPEND" ||
    // A leader that steps down answers its waiting acks=all produces with
    // NOT_LEADER_OR_FOLLOWER although it had appended them, and the batch may
    // survive on the next leader; the same code also means "refused before
    // append", so the client cannot tell. Found by the safe-configuration
    // property: such batches were reported "error" yet were in the final log.
    error === "NOT_LEADER_OR_FOLLOWER"
  );
}

/** Retriable for any producer; OUT_OF_ORDER_SEQUENCE_NUMBER is decided by the caller. */
export function isRetriableProduceError(error: ProduceError): boolean {
  if (error === "NETWORK_EXCEPTION") return true;
  if (error === "DELIVERY_TIMEOUT") return false;
  return isRetriable(error);
}

/**
 * Errors that mean the producer's idea of the leader is wrong: Kafka's
 * InvalidMetadataException family. The producer forgets the leader and asks
 * for metadata before retrying.
 */
export function invalidatesMetadata(error: ProduceError): boolean {
  return (
    error === "NOT_LEADER_OR_FOLLOWER" ||
    error === "LEADER_NOT_AVAILABLE" ||
    error === "FENCED_LEADER_EPOCH" ||
    error === "UNKNOWN_LEADER_EPOCH" ||
    error === "KAFKA_STORAGE_ERROR"
  );
}
