/**
 * fast-check arbitraries for scenario parts, for users writing their own
 * properties: workloads (producers with rate and size, consumer groups with
 * commit policies) in the scenario file's own form, so a generated value can
 * be dropped into a scenario document and validated like a file.
 */
import fc from "fast-check";

export interface ProducerWorkloadOptions {
  topic: string;
  /** Most messages per second (default 200): keep property runs small. */
  rateMax?: number;
}

/** A producer entry of a scenario document: rate, batching, size, acks and idempotence. */
export function producerWorkloadArbitrary(options: ProducerWorkloadOptions) {
  const rateMax = options.rateMax ?? 200;
  return fc.record({
    topic: fc.constant(options.topic),
    rate: fc.oneof(
      fc.integer({ min: 1, max: rateMax }).map((perSecond) => `${perSecond}/s`),
      fc.integer({ min: 1, max: rateMax }).map((perSecond) => ({ kind: "poisson" as const, rate: `${perSecond}/s` })),
    ),
    messagesPerSend: fc.integer({ min: 1, max: 10 }),
    messageSize: fc.integer({ min: 16, max: 16_384 }).map((bytes) => `${bytes}B`),
    config: fc.record({ acks: fc.constantFrom(0, 1, "all" as const), "enable.idempotence": fc.boolean(), "linger.ms": fc.integer({ min: 0, max: 20 }) }).map((config) =>
      // Kafka refuses idempotence without acks=all.
      config.acks === "all" ? config : { ...config, "enable.idempotence": false },
    ),
  });
}

/** A consumer group entry: members, processing time, commit policy, idempotence. */
export function consumerGroupArbitrary(options: { group: string; topics: string[] }) {
  return fc.record({
    group: fc.constant(options.group),
    count: fc.integer({ min: 1, max: 3 }),
    topics: fc.constant(options.topics),
    processingTime: fc.integer({ min: 0, max: 50 }).map((ms) => `${ms}ms`),
    commit: fc.constantFrom("auto" as const, "before-process" as const, "after-process" as const),
    idempotent: fc.boolean(),
  });
}
