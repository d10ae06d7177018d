/**
 * zod schemas for Kafka's configuration in a scenario file, under Kafka's
 * own names. Unknown names are rejected (a typo such as "min.isr" must not
 * be silently ignored), and every value is checked for type and range here,
 * before anything runs. Values are in Kafka's units (milliseconds, bytes).
 */
import { z } from "zod";

const ms = z.int().min(0).max(31_536_000_000);
const positiveMs = z.int().min(1).max(31_536_000_000);
const bytes = z.int().min(1).max(2_147_483_647);
/** Kafka's "never" for flush intervals is Long.MAX_VALUE; here a safe integer. */
const flushInterval = z.int().min(1).max(Number.MAX_SAFE_INTEGER);

export const kafkaBrokerConfigSchema = z.strictObject({
  "min.insync.replicas": z.int().min(1).max(64).optional(),
  "unclean.leader.election.enable": z.boolean().optional(),
  "replica.lag.time.max.ms": positiveMs.optional(),
  "replica.fetch.wait.max.ms": ms.optional(),
  "replica.fetch.max.bytes": bytes.optional(),
  "replica.fetch.response.max.bytes": bytes.optional(),
  "replica.socket.timeout.ms": positiveMs.optional(),
  "controller.socket.timeout.ms": positiveMs.optional(),
  "num.io.threads": z.int().min(1).max(256).optional(),
  "num.network.threads": z.int().min(1).max(256).optional(),
  "queued.max.requests": z.int().min(1).max(1_000_000).optional(),
  "broker.heartbeat.interval.ms": positiveMs.optional(),
  "broker.session.timeout.ms": positiveMs.optional(),
  "replica.high.watermark.checkpoint.interval.ms": positiveMs.optional(),
  "log.flush.interval.messages": flushInterval.optional(),
  "log.flush.interval.ms": flushInterval.optional(),
  "log.flush.scheduler.interval.ms": flushInterval.optional(),
  "mqsim.truncation": z.enum(["high-watermark", "leader-epoch-kip101", "leader-epoch"]).optional(),
  "mqsim.reregistration": z.enum(["fence", "keep"]).optional(),
});

export const kafkaProducerConfigSchema = z.strictObject({
  // Kafka accepts acks as "0", "1", "all" or "-1"; numbers are accepted too.
  acks: z
    .union([z.literal(0), z.literal(1), z.literal(-1), z.literal("0"), z.literal("1"), z.literal("-1"), z.literal("all")], { error: 'expected acks 0, 1 or "all" (or -1)' })
    .transform((value) => (value === 0 || value === "0" ? 0 : value === 1 || value === "1" ? 1 : "all") as 0 | 1 | "all")
    .optional(),
  "linger.ms": ms.optional(),
  "batch.size": bytes.optional(),
  "max.request.size": bytes.optional(),
  "send.buffer.bytes": bytes.optional(),
  "buffer.memory": bytes.optional(),
  "max.block.ms": ms.optional(),
  retries: z.int().min(0).max(2_147_483_647).optional(),
  "retry.backoff.ms": ms.optional(),
  "request.timeout.ms": positiveMs.optional(),
  "delivery.timeout.ms": positiveMs.optional(),
  "max.in.flight.requests.per.connection": z.int().min(1).max(1_000).optional(),
  "enable.idempotence": z.boolean().optional(),
  "metadata.max.age.ms": positiveMs.optional(),
});

export const kafkaConsumerConfigSchema = z.strictObject({
  "enable.auto.commit": z.boolean().optional(),
  "auto.commit.interval.ms": positiveMs.optional(),
  "auto.offset.reset": z.enum(["earliest", "latest"]).optional(),
  "fetch.max.wait.ms": ms.optional(),
  "max.partition.fetch.bytes": bytes.optional(),
  "fetch.max.bytes": bytes.optional(),
  "session.timeout.ms": positiveMs.optional(),
  "heartbeat.interval.ms": positiveMs.optional(),
  "max.poll.records": z.int().min(1).max(1_000_000).optional(),
  "request.timeout.ms": positiveMs.optional(),
  "retry.backoff.ms": ms.optional(),
  "reconnect.backoff.ms": ms.optional(),
  "reconnect.backoff.max.ms": ms.optional(),
});

export type KafkaBrokerConfigInput = z.output<typeof kafkaBrokerConfigSchema>;
export type KafkaProducerConfigInput = z.output<typeof kafkaProducerConfigSchema>;
export type KafkaConsumerConfigInput = z.output<typeof kafkaConsumerConfigSchema>;
