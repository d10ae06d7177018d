/**
 * The largest message mqsim models: 1 GiB, above Kafka's largest practical
 * message.max.bytes and RabbitMQ's 512 MiB hard limit. Scenario files are
 * refused above it; sizes drawn from an unbounded distribution (exponential,
 * lognormal, normal) are cut to [1, MESSAGE_BYTES_MAX], so that a batch's
 * bytes stay an exact integer however many messages it holds.
 */
export const MESSAGE_BYTES_MAX = 1_073_741_824;

/** A drawn message size, cut to whole bytes in [1, MESSAGE_BYTES_MAX]. */
export function clampMessageBytes(drawn: number): number {
  return Math.min(MESSAGE_BYTES_MAX, Math.max(1, Math.round(drawn)));
}
