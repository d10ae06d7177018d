/**
 * What RabbitMQ's anomaly rows show beyond the shared searches of
 * properties/anomalies.property.test.ts: the named R3 and R4 runs lose
 * hundreds of confirmed messages through an unsynchronised mirror's
 * promotion, and the fixes converge and show how they avoided it.
 */
import { describe, expect, it } from "vitest";
import { RABBIT_ANOMALIES, mirrorPromotions } from "./anomalies.js";

describe.each(RABBIT_ANOMALIES.map((anomaly) => [anomaly.id, anomaly] as const))("%s named", (_, anomaly) => {
  it("loses every message published before the unsynchronised mirror joined; the fix loses none and converges", () => {
    const unsafe = anomaly.run("unsafe", anomaly.named.seed, anomaly.named.faults);
    // R3 loses 3 s of them, R4 2 s: hundreds.
    expect(unsafe.checks.find((check) => check.check === "lost")?.counts["lost"] ?? 0).toBeGreaterThan(150);
    expect(mirrorPromotions(unsafe).some((promotion) => !promotion.isSynced)).toBe(true);
    expect(anomaly.fixedBy?.(unsafe)).not.toBeNull();
    const safe = anomaly.run("safe", anomaly.named.seed, anomaly.named.faults);
    expect(safe.liveness.isConverged).toBe(true);
    expect(anomaly.fixedBy?.(safe)).toBeNull();
  });
});
