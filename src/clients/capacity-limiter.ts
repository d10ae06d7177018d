/**
 * A downstream resource that serves at most `perSecond` messages per second,
 * shared by its users (a consumer group's members, a service's callers): n
 * messages occupy it for n / perSecond, in arrival order. It lives outside
 * the simulated processes, like the database it stands for.
 */
import { assert } from "../kernel/assert.js";

export class CapacityLimiter {
  private freeAtNs = 0;

  constructor(readonly perSecond: number) {
    assert(perSecond > 0 && Number.isFinite(perSecond), `capacity must be positive, got ${perSecond}`);
  }

  /** Reserves service for `count` messages arriving at `nowNs`; returns when they are done. */
  reserve(nowNs: number, count: number): number {
    const startNs = Math.max(nowNs, this.freeAtNs);
    this.freeAtNs = startNs + this.serviceNs(count);
    return this.freeAtNs;
  }

  /** How long `count` messages occupy it. */
  serviceNs(count: number): number {
    return Math.ceil((count * 1e9) / this.perSecond);
  }
}

