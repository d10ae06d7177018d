/**
 * One run's kernel: clock and event queue, named RNG streams, trace with its
 * digest, and coverage marks, all derived from one seed.
 */
import { Digest64 } from "./digest.js";
import { Marks } from "./marks.js";
import { Rng } from "./rng.js";
import { Scheduler, type Budgets } from "./scheduler.js";
import { Trace } from "./trace.js";

export interface KernelOptions {
  seed: number | string;
  budgets?: Partial<Budgets>;
  /** Seeded shuffling of events that fall at the same instant (to explore races). */
  shuffleTies?: boolean;
  /** Feed every fired event's time into the digest (default true). */
  digestEvents?: boolean;
  traceBufferRecordsMax?: number;
}

export class Kernel {
  readonly seed: string;
  readonly rng: Rng;
  readonly scheduler: Scheduler;
  readonly trace: Trace;
  readonly marks = new Marks();

  constructor(options: KernelOptions) {
    this.rng = new Rng(options.seed);
    this.seed = this.rng.seed;
    const digest = new Digest64();
    digest.mixString(`mqsim-seed:${this.seed}`);
    const tieStream = options.shuffleTies === true ? this.rng.stream("kernel:ties") : null;
    this.scheduler = new Scheduler({
      ...(options.budgets === undefined ? {} : { budgets: options.budgets }),
      tieBreaker: tieStream === null ? null : () => tieStream.u32(),
      digest: options.digestEvents === false ? null : digest,
    });
    this.trace = new Trace(this.scheduler, digest, { bufferRecordsMax: options.traceBufferRecordsMax ?? 0 });
  }

  get now(): number {
    return this.scheduler.now;
  }

  digestHex(): string {
    return this.trace.digestHex();
  }
}
