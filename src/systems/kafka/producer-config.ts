/**
 * Resolves a producer's configuration the way KafkaProducer's constructor
 * does: Kafka's defaults under Kafka's names, the idempotence rules of KIP-679
 * and Kafka's own validation, then converts to what the simulator runs on
 * (integer nanoseconds).
 *
 * A bad configuration is bad input (Kafka throws ConfigException from the
 * constructor), so it throws a plain Error naming the setting; it is neither
 * a modelled failure nor a simulator bug.
 */
import type { DurationNs } from "../../kernel/index.js";
import { DEFAULT_PRODUCER_CONFIG, msToNs, type KafkaProducerConfig } from "./config.js";

/**
 * The broker keeps per-producer state for the last 5 batches only, so an
 * idempotent producer may not have more in flight (KAFKA-5494).
 */
const IDEMPOTENT_IN_FLIGHT_MAX = 5;

/** Kafka's reconnect.backoff.ms default: the wait before reconnecting to a broker that dropped us. */
export const RECONNECT_BACKOFF_MS = 50;

export interface ResolvedProducerConfig {
  readonly kafka: Readonly<KafkaProducerConfig>;
  /** acks on the wire: "all" is -1. */
  readonly acksWire: -1 | 0 | 1;
  readonly idempotent: boolean;
  readonly lingerNs: DurationNs;
  readonly batchSizeBytes: number;
  readonly maxRequestBytes: number;
  readonly sendBufferBytes: number;
  readonly bufferMemoryBytes: number;
  readonly maxBlockNs: DurationNs;
  readonly retries: number;
  readonly retryBackoffNs: DurationNs;
  readonly requestTimeoutNs: DurationNs;
  readonly deliveryTimeoutNs: DurationNs;
  readonly inFlightMax: number;
  readonly metadataMaxAgeNs: DurationNs;
  readonly reconnectBackoffNs: DurationNs;
}

export function resolveProducerConfig(overrides: Partial<KafkaProducerConfig>): ResolvedProducerConfig {
  const kafka: KafkaProducerConfig = { ...DEFAULT_PRODUCER_CONFIG, ...overrides };
  checkNonNegativeInteger(kafka, "linger.ms");
  checkNonNegativeInteger(kafka, "batch.size");
  checkNonNegativeInteger(kafka, "max.request.size");
  checkNonNegativeInteger(kafka, "send.buffer.bytes");
  checkNonNegativeInteger(kafka, "buffer.memory");
  checkNonNegativeInteger(kafka, "max.block.ms");
  checkNonNegativeInteger(kafka, "retries");
  checkNonNegativeInteger(kafka, "retry.backoff.ms");
  checkNonNegativeInteger(kafka, "request.timeout.ms");
  checkNonNegativeInteger(kafka, "delivery.timeout.ms");
  checkNonNegativeInteger(kafka, "metadata.max.age.ms");
  const inFlightMax = kafka["max.in.flight.requests.per.connection"];
  if (!(Number.isSafeInteger(inFlightMax) && inFlightMax >= 1)) {
    throw new Error(`max.in.flight.requests.per.connection must be an integer >= 1, got ${inFlightMax}`);
  }
  if (kafka.acks !== 0 && kafka.acks !== 1 && kafka.acks !== "all") {
    throw new Error(`acks must be 0, 1 or "all", got ${String(kafka.acks)}`);
  }
  // Kafka's check in KafkaProducer.configureDeliveryTimeout: a batch must be
  // allowed to linger and then wait out one full request.
  if (kafka["delivery.timeout.ms"] < kafka["linger.ms"] + kafka["request.timeout.ms"]) {
    throw new Error(
      `delivery.timeout.ms (${kafka["delivery.timeout.ms"]}) must be >= linger.ms + request.timeout.ms (${kafka["linger.ms"] + kafka["request.timeout.ms"]})`,
    );
  }
  const idempotent = resolveIdempotence(kafka, overrides["enable.idempotence"] !== undefined);
  return {
    kafka: { ...kafka, "enable.idempotence": idempotent },
    acksWire: kafka.acks === "all" ? -1 : kafka.acks,
    idempotent,
    lingerNs: msToNs(kafka["linger.ms"]),
    batchSizeBytes: kafka["batch.size"],
    maxRequestBytes: kafka["max.request.size"],
    sendBufferBytes: kafka["send.buffer.bytes"],
    bufferMemoryBytes: kafka["buffer.memory"],
    maxBlockNs: msToNs(kafka["max.block.ms"]),
    retries: kafka.retries,
    retryBackoffNs: msToNs(kafka["retry.backoff.ms"]),
    requestTimeoutNs: msToNs(kafka["request.timeout.ms"]),
    deliveryTimeoutNs: msToNs(kafka["delivery.timeout.ms"]),
    inFlightMax,
    metadataMaxAgeNs: msToNs(kafka["metadata.max.age.ms"]),
    reconnectBackoffNs: msToNs(RECONNECT_BACKOFF_MS),
  };
}

/**
 * Idempotence needs acks=all, retries > 0 and at most 5 requests in flight.
 * KIP-679 made it the default (Kafka 3.0); since Kafka 3.2 (KAFKA-13598) a
 * conflicting setting silently turns the *default* off, while an explicit
 * enable.idempotence=true with a conflict is a ConfigException.
 */
function resolveIdempotence(kafka: KafkaProducerConfig, isExplicit: boolean): boolean {
  if (!kafka["enable.idempotence"]) return false;
  const conflict =
    kafka.acks !== "all"
      ? `acks must be "all" (got ${String(kafka.acks)})`
      : kafka.retries === 0
        ? "retries must be > 0"
        : kafka["max.in.flight.requests.per.connection"] > IDEMPOTENT_IN_FLIGHT_MAX
          ? `max.in.flight.requests.per.connection must be <= ${IDEMPOTENT_IN_FLIGHT_MAX}`
          : null;
  if (conflict === null) return true;
  if (isExplicit) throw new Error(`enable.idempotence=true conflicts with the configuration: ${conflict}`);
  return false;
}

type NumericSetting = { [K in keyof KafkaProducerConfig]: KafkaProducerConfig[K] extends number ? K : never }[keyof KafkaProducerConfig];

function checkNonNegativeInteger(kafka: KafkaProducerConfig, name: NumericSetting): void {
  const value = kafka[name];
  if (!(Number.isSafeInteger(value) && value >= 0)) throw new Error(`${name} must be a non-negative integer, got ${value}`);
}
