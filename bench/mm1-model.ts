/**
 * An M/M/1 queue built only on the kernel: Poisson arrivals, one server with
 * exponential service times, first come first served. Arrivals and departures
 * are kernel events; interarrival and service times come from two named RNG
 * streams through the kernel's exponential distribution.
 *
 * It serves twice: as the closed-form check of the kernel (mm1.test.ts: the
 * mean wait must match rho / (mu - lambda)) and as a kernel benchmark
 * (run-kernel.ts). For the benchmark to measure the kernel and not the model,
 * the two handlers are bound once and nothing is allocated per customer:
 * waiting customers are just their arrival times in a growable ring.
 */
import { distribution, type Distribution } from "../src/kernel/distribution.js";
import type { Kernel } from "../src/kernel/kernel.js";
import type { RngStream } from "../src/kernel/rng.js";
import type { Scheduler } from "../src/kernel/scheduler.js";

export interface Mm1Options {
  /** 1 / lambda. */
  interarrivalNsMean: number;
  /** 1 / mu. */
  serviceNsMean: number;
  /** Prefix of the two RNG stream names, so several models can share a kernel. */
  name?: string;
}

export interface Mm1Stats {
  /** Customers whose service completed; the means below are over exactly these. */
  customersServed: number;
  /** Mean time from arrival to start of service (Wq). */
  waitNsMean: number;
  /** Mean time from arrival to departure (W). */
  sojournNsMean: number;
  /** Mean drawn service time, to separate sampler error from queueing error. */
  serviceNsMean: number;
}

export class Mm1Model {
  private readonly scheduler: Scheduler;
  private readonly arrivalStream: RngStream;
  private readonly serviceStream: RngStream;
  private readonly interarrival: Distribution;
  private readonly service: Distribution;

  // Arrival times of customers waiting for the server, oldest at the head.
  private waitingArrivalNs = new Float64Array(1024);
  private waitingHead = 0;
  private waitingCount = 0;

  private busy = false;
  private started = false;
  private inServiceArrivalNs = 0;
  private inServiceWaitNs = 0;
  private inServiceServiceNs = 0;
  private customersTarget = 0;

  // Sums of integer nanoseconds stay exact in a double far beyond any test size (2^53 ns).
  private customersServed = 0;
  private waitNsTotal = 0;
  private sojournNsTotal = 0;
  private serviceNsTotal = 0;

  constructor(kernel: Kernel, options: Mm1Options) {
    this.scheduler = kernel.scheduler;
    const name = options.name ?? "mm1";
    this.arrivalStream = kernel.rng.stream(`${name}:arrivals`);
    this.serviceStream = kernel.rng.stream(`${name}:service`);
    this.interarrival = distribution({ kind: "exponential", mean: options.interarrivalNsMean });
    this.service = distribution({ kind: "exponential", mean: options.serviceNsMean });
  }

  /**
   * Runs until `count` more customers have been served (2 events per
   * customer once warm), then stops the scheduler. Returns totals so far.
   */
  runCustomers(count: number): Mm1Stats {
    if (!this.started) {
      this.started = true;
      this.scheduler.after(this.interarrival.sample(this.arrivalStream), this.onArrival);
    }
    this.customersTarget = this.customersServed + count;
    const result = this.scheduler.run();
    if (result.reason !== "stopped") {
      throw new Error(`M/M/1 run ended with ${result.reason} after ${this.customersServed} customers`);
    }
    return this.stats();
  }

  stats(): Mm1Stats {
    const served = this.customersServed;
    return {
      customersServed: served,
      waitNsMean: this.waitNsTotal / served,
      sojournNsMean: this.sojournNsTotal / served,
      serviceNsMean: this.serviceNsTotal / served,
    };
  }

  private readonly onArrival = (): void => {
    const now = this.scheduler.now;
    this.scheduler.after(this.interarrival.sample(this.arrivalStream), this.onArrival);
    if (this.busy) this.enqueue(now);
    else this.startService(now, now);
  };

  private readonly onDeparture = (): void => {
    const now = this.scheduler.now;
    this.customersServed++;
    this.waitNsTotal += this.inServiceWaitNs;
    this.sojournNsTotal += now - this.inServiceArrivalNs;
    this.serviceNsTotal += this.inServiceServiceNs;
    this.busy = false;
    if (this.waitingCount > 0) {
      const arrivalNs = this.waitingArrivalNs[this.waitingHead]!;
      this.waitingHead = (this.waitingHead + 1) & (this.waitingArrivalNs.length - 1);
      this.waitingCount--;
      this.startService(arrivalNs, now);
    }
    if (this.customersServed === this.customersTarget) this.scheduler.stop();
  };

  private startService(arrivalNs: number, nowNs: number): void {
    this.busy = true;
    this.inServiceArrivalNs = arrivalNs;
    this.inServiceWaitNs = nowNs - arrivalNs;
    const serviceNs = this.service.sample(this.serviceStream);
    this.inServiceServiceNs = serviceNs;
    this.scheduler.after(serviceNs, this.onDeparture);
  }

  private enqueue(arrivalNs: number): void {
    let ring = this.waitingArrivalNs;
    if (this.waitingCount === ring.length) {
      // Unroll into a ring twice the size (lengths stay powers of two for the mask).
      const grown = new Float64Array(ring.length * 2);
      for (let k = 0; k < this.waitingCount; k++) grown[k] = ring[(this.waitingHead + k) & (ring.length - 1)]!;
      this.waitingArrivalNs = ring = grown;
      this.waitingHead = 0;
    }
    ring[(this.waitingHead + this.waitingCount) & (ring.length - 1)] = arrivalNs;
    this.waitingCount++;
  }
}
