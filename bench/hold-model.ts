/**
 * The classic "hold" model for benchmarking event sets (Vaucher & Duval,
 * 1975): keep N events pending; each fired event schedules one successor
 * after an exponential delay. The queue size stays at N, so the cost per
 * event is the cost of one pop plus one push at that size.
 *
 * It runs on a full Kernel with the event digest on, as a normal run does,
 * and draws delays from a named RNG stream through the kernel's exponential
 * distribution: the number it produces is what a simulation pays per event
 * before doing any modelling work. The handler is bound once; nothing is
 * allocated per event.
 */
import { distribution, type Distribution } from "../src/kernel/distribution.js";
import type { Kernel } from "../src/kernel/kernel.js";
import type { RngStream } from "../src/kernel/rng.js";
import type { Scheduler } from "../src/kernel/scheduler.js";

export class HoldModel {
  readonly pendingCount: number;
  private readonly scheduler: Scheduler;
  private readonly delays: RngStream;
  private readonly delay: Distribution;
  private eventsLeft = 0;

  constructor(kernel: Kernel, pendingCount: number, delayNsMean = 1_000_000) {
    this.pendingCount = pendingCount;
    this.scheduler = kernel.scheduler;
    this.delays = kernel.rng.stream("hold:delays");
    this.delay = distribution({ kind: "exponential", mean: delayNsMean });
    for (let i = 0; i < pendingCount; i++) this.scheduler.after(this.delay.sample(this.delays), this.onEvent);
  }

  /** Fires exactly `count` events; the pending set is back at its size afterwards. */
  runEvents(count: number): void {
    this.eventsLeft = count;
    const result = this.scheduler.run();
    if (result.reason !== "stopped" || result.eventsFired !== count) {
      throw new Error(`hold run ended with ${result.reason} after ${result.eventsFired} of ${count} events`);
    }
  }

  private readonly onEvent = (): void => {
    this.scheduler.after(this.delay.sample(this.delays), this.onEvent);
    if (--this.eventsLeft === 0) this.scheduler.stop();
  };
}
