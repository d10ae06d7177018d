/**
 * The client's RedeliveryPolicy (activemq-client RedeliveryPolicy.java,
 * tag activemq-5.18.7): how many times a session gives a message back to
 * its listener after a rollback, and how long it waits before each.
 *
 * ActiveMQMessageConsumer.rollback() takes the delay for a message rolled
 * back for the n-th time as initialRedeliveryDelay, then n − 1 steps of
 * getNextRedeliveryDelay: redeliveryDelay, or with useExponentialBackOff the
 * previous delay times backOffMultiplier, capped by maximumRedeliveryDelay
 * (−1: no cap). useCollisionAvoidance (a random ±15%) is not modelled.
 */
import { assert } from "../../kernel/index.js";

export interface RedeliveryPolicy {
  /** Redeliveries before the session poison-acks the message (to the DLQ); −1: no limit. */
  maximumRedeliveries: number;
  /** ms before the first redelivery. */
  initialRedeliveryDelay: number;
  /** ms before each later one (without exponential back-off). */
  redeliveryDelay: number;
  useExponentialBackOff: boolean;
  backOffMultiplier: number;
  /** ms; −1: no cap. */
  maximumRedeliveryDelay: number;
}

/** RedeliveryPolicy.NO_MAXIMUM_REDELIVERIES */
export const NO_MAXIMUM_REDELIVERIES = -1;

/** RedeliveryPolicy's field defaults. */
export const REDELIVERY_POLICY_DEFAULTS: Readonly<RedeliveryPolicy> = Object.freeze({
  maximumRedeliveries: 6,
  initialRedeliveryDelay: 1_000,
  redeliveryDelay: 1_000,
  useExponentialBackOff: false,
  backOffMultiplier: 5,
  maximumRedeliveryDelay: -1,
});

/** A message rolled back `redeliveryCounter` times (≥ 1) is past the policy's limit: it is poison-acked instead. */
export function isRedeliveryExceeded(policy: RedeliveryPolicy, redeliveryCounter: number): boolean {
  return policy.maximumRedeliveries !== NO_MAXIMUM_REDELIVERIES && redeliveryCounter > policy.maximumRedeliveries;
}

/** ms the session waits before giving back a message rolled back for the `redeliveryCounter`-th time. */
export function redeliveryDelayMsOf(policy: RedeliveryPolicy, redeliveryCounter: number): number {
  assert(Number.isSafeInteger(redeliveryCounter) && redeliveryCounter >= 1, `redeliveryCounter ${redeliveryCounter}`);
  let delayMs = policy.initialRedeliveryDelay;
  for (let k = 0; k < redeliveryCounter - 1; k++) delayMs = nextRedeliveryDelayMs(policy, delayMs);
  return delayMs;
}

/** RedeliveryPolicy.getNextRedeliveryDelay. */
function nextRedeliveryDelayMs(policy: RedeliveryPolicy, previousMs: number): number {
  if (!(previousMs > 0 && policy.useExponentialBackOff && policy.backOffMultiplier > 1)) return policy.redeliveryDelay;
  // Java's (long) cast truncates.
  const nextMs = Math.trunc(previousMs * policy.backOffMultiplier);
  if (policy.maximumRedeliveryDelay !== -1 && nextMs > policy.maximumRedeliveryDelay) return Math.max(policy.maximumRedeliveryDelay, policy.redeliveryDelay);
  return nextMs;
}
