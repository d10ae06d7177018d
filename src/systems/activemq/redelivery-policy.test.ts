import { describe, expect, it } from "vitest";
import { isRedeliveryExceeded, REDELIVERY_POLICY_DEFAULTS, redeliveryDelayMsOf } from "./redelivery-policy.js";

describe("RedeliveryPolicy", () => {
  it("by default every redelivery waits a second, and the seventh rollback is past maximumRedeliveries 6", () => {
    expect([1, 2, 3, 6].map((n) => redeliveryDelayMsOf(REDELIVERY_POLICY_DEFAULTS, n))).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(isRedeliveryExceeded(REDELIVERY_POLICY_DEFAULTS, 6)).toBe(false);
    expect(isRedeliveryExceeded(REDELIVERY_POLICY_DEFAULTS, 7)).toBe(true);
  });

  it("exponential back-off multiplies from initialRedeliveryDelay and is capped by maximumRedeliveryDelay", () => {
    const policy = { ...REDELIVERY_POLICY_DEFAULTS, initialRedeliveryDelay: 100, useExponentialBackOff: true, backOffMultiplier: 2, maximumRedeliveryDelay: 1_000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => redeliveryDelayMsOf(policy, n))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it("the cap is never below redeliveryDelay, and −1 redeliveries is no limit", () => {
    const policy = { ...REDELIVERY_POLICY_DEFAULTS, initialRedeliveryDelay: 500, useExponentialBackOff: true, maximumRedeliveryDelay: 100, maximumRedeliveries: -1 };
    expect(redeliveryDelayMsOf(policy, 2)).toBe(1_000);
    expect(isRedeliveryExceeded(policy, 1_000_000)).toBe(false);
  });
});
