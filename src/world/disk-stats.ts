/** What one disk did over a run: the numbers behind throughput, loss and utilisation reports. */

export interface DiskStats {
  appends: number;
  bytesAppended: number;
  /** Appends refused with "disk-full". */
  fullRejections: number;
  /** Appends whose completion had to wait for writeback (dirty over the limit). */
  throttledWrites: number;
  bytesWrittenToDevice: number;
  deviceWriteRequests: number;
  fsyncCalls: number;
  /** fsyncs answered without writing (fsyncLies fault). */
  lyingFsyncs: number;
  deviceFlushes: number;
  bytesReadFromDevice: number;
  deviceReadRequests: number;
  cacheReads: number;
  /** Device requests that went to a different file than the one before (seeks). */
  switches: number;
  powerLosses: number;
  bytesLostAtPowerLoss: number;
  /** Device writes cut short by a power loss that landed partially (tornWrites fault). */
  tornWrites: number;
  /** Completions not delivered because the process that asked had crashed. */
  completionsDropped: number;
  /** Time the device was busy; busyNs / elapsed is its utilisation. */
  busyNs: number;
  /** Files the flusher started a chunk of (each visit pays at most one seek). */
  writebackVisits: number;
  /** Clean bytes evicted from the page cache (a later read of them goes to the device). */
  pageCacheEvictedBytes: number;
}

/** The counters the disk keeps itself; the device keeps switches and busyNs, completions the drops. */
export type DiskCounters = Omit<DiskStats, "switches" | "busyNs" | "completionsDropped" | "writebackVisits" | "pageCacheEvictedBytes">;

export function newDiskCounters(): DiskCounters {
  return {
    appends: 0,
    bytesAppended: 0,
    fullRejections: 0,
    throttledWrites: 0,
    bytesWrittenToDevice: 0,
    deviceWriteRequests: 0,
    fsyncCalls: 0,
    lyingFsyncs: 0,
    deviceFlushes: 0,
    bytesReadFromDevice: 0,
    deviceReadRequests: 0,
    cacheReads: 0,
    powerLosses: 0,
    bytesLostAtPowerLoss: 0,
    tornWrites: 0,
  };
}
