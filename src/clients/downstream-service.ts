/**
 * A service an application calls synchronously (a database, a payment API):
 * each call takes a latency drawn from the service's distribution, and a
 * service with a capacity serves at most that many calls per second, in
 * arrival order, so calls queue when it is saturated. It stands outside the
 * simulated machines (nothing of it crashes); what matters is the time a
 * caller waits. Claims C2 (a synchronous chain vs publishing to a queue) and
 * C3 (a database that takes at most 2k/s) are made of these.
 */
import { assert } from "../kernel/assert.js";
import { CapacityLimiter } from "./capacity-limiter.js";
import { distribution, type Distribution, type DistributionSpec } from "../kernel/distribution.js";
import type { RngStream } from "../kernel/rng.js";

export interface DownstreamServiceSpec {
  name: string;
  latency: DistributionSpec;
  /** Calls per second it can serve; unlimited when absent. */
  capacityPerSecond?: number;
}

export class DownstreamService {
  readonly name: string;
  private readonly latency: Distribution;
  private readonly rng: RngStream;
  /** Serves calls one at a time at its capacity, in arrival order (null: unlimited). */
  private readonly capacity: CapacityLimiter | null;

  constructor(spec: DownstreamServiceSpec, rng: RngStream) {
    assert(spec.capacityPerSecond === undefined || spec.capacityPerSecond > 0, `service ${spec.name}: capacity must be positive`);
    this.name = spec.name;
    this.latency = distribution(spec.latency);
    this.rng = rng;
    this.capacity = spec.capacityPerSecond === undefined ? null : new CapacityLimiter(spec.capacityPerSecond);
  }

  /** A call made at `nowNs`: when its answer is back. */
  callDoneNs(nowNs: number): number {
    // Its turn at the capacity comes when its share of it is served; then it takes its latency.
    const startNs = this.capacity === null ? nowNs : this.capacity.reserve(nowNs, 1) - this.capacity.serviceNs(1);
    return startNs + Math.max(0, this.latency.sample(this.rng));
  }

  /** Calls to `services` one after another, starting at `nowNs`: when the last answer is back. */
  static chainDoneNs(services: readonly DownstreamService[], nowNs: number): number {
    let timeNs = nowNs;
    for (const service of services) timeNs = service.callDoneNs(timeNs);
    return timeNs;
  }
}
