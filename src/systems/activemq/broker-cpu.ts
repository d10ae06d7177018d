/**
 * The CPU an ActiveMQ broker's threads have spent, across its processes:
 * the live threads' own counters plus what threads that are gone (closed
 * connections, a store given up, a crashed process) had spent, so a probe's
 * totals never go backwards.
 */
import type { SerialThread } from "../../world/serial-thread.js";
import type { StoreTaskExecutor } from "./store-task-executor.js";

/** CPU a broker's threads spent, for probes and summaries (plain data). */
export interface ActiveMqCpuUse {
  transportNs: number;
  transportThreads: number;
  storeTaskNs: number;
  /** Time the store task thread waited in the journal for fsyncs. */
  storeTaskBlockedNs: number;
  dispatchNs: number;
  dispatchThreads: number;
  /** The machine's cores, which all of the above share. */
  cores: number;
}

/** What the live threads are, at a probe. */
export interface LiveThreads {
  transport: Iterable<SerialThread>;
  transportCount: number;
  executor: StoreTaskExecutor | null;
  dispatch: Iterable<SerialThread>;
  dispatchCount: number;
  cores: number;
}

export class BrokerCpuAccount {
  private transportNs = 0;
  private storeTaskNs = 0;
  private storeTaskBlockedNs = 0;
  private dispatchNs = 0;

  /** A connection's transport thread is gone. */
  retireTransport(thread: SerialThread): void {
    this.transportNs += thread.busyNs;
  }

  /** The store's threads are gone (a lost lock, a failed store, a crash). */
  retireStore(executor: StoreTaskExecutor | null, dispatch: Iterable<SerialThread>): void {
    if (executor !== null) {
      this.storeTaskNs += executor.busyNs;
      this.storeTaskBlockedNs += executor.blockedNs;
    }
    for (const thread of dispatch) this.dispatchNs += thread.busyNs;
  }

  use(live: LiveThreads): ActiveMqCpuUse {
    let transportNs = this.transportNs;
    for (const thread of live.transport) transportNs += thread.busyNs;
    let dispatchNs = this.dispatchNs;
    for (const thread of live.dispatch) dispatchNs += thread.busyNs;
    return {
      transportNs,
      transportThreads: live.transportCount,
      storeTaskNs: this.storeTaskNs + (live.executor?.busyNs ?? 0),
      storeTaskBlockedNs: this.storeTaskBlockedNs + (live.executor?.blockedNs ?? 0),
      dispatchNs,
      dispatchThreads: live.dispatchCount,
      cores: live.cores,
    };
  }
}
