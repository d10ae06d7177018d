/**
 * The shape, defaults and validation of a disk's options: the node it
 * belongs to, its profile, and the page-cache writeback thresholds (Linux's
 * dirty_* settings).
 *
 * Separate from disk.ts, as network-options.ts is from network.ts: what can
 * be configured, and what a value must satisfy, reads apart from the
 * mechanics that use it.
 */
import { assert, assertNonNegativeInteger } from "../kernel/assert.js";
import type { Marks } from "../kernel/marks.js";
import type { Scheduler } from "../kernel/scheduler.js";
import { seconds } from "../kernel/time.js";
import type { Trace } from "../kernel/trace.js";
import type { DiskProfile } from "./disk-profile.js";
import type { WorldNode } from "./node.js";
import { MIB } from "./units.js";

export interface DiskOptions {
  node: WorldNode;
  scheduler: Scheduler;
  trace: Trace;
  marks?: Marks;
  profile: DiskProfile;
  /** Dirty data older than this is written back (Linux dirty_expire_centisecs: 30 s). */
  dirtyExpireNs?: number;
  /** Beyond this much dirty data, writeback starts without waiting for expiry (default 64 MiB). */
  dirtyBackgroundBytes?: number;
  /** Beyond this much dirty data, append completions wait for writeback (default 256 MiB). */
  dirtyLimitBytes?: number;
  /** Largest device request writeback builds of one file's data (the block layer's max_sectors_kb; default 1 MiB). */
  writebackMergeBytesMax?: number;
  /** Memory the page cache may use; beyond it clean data is evicted (default 8 GiB). */
  pageCacheBytes?: number;
}

export const DIRTY_EXPIRE_DEFAULT_NS = seconds(30);
export const DIRTY_BACKGROUND_DEFAULT_BYTES = 64 * MIB;
export const DIRTY_LIMIT_DEFAULT_BYTES = 256 * MIB;
export const WRITEBACK_MERGE_DEFAULT_BYTES_MAX = MIB;
/**
 * Estimate: a broker machine with 16 GiB of memory, half of it left to the
 * page cache after the JVM heap and the OS. Tests and scenarios shrink it to
 * make a lagging reader go to the device.
 */
export const PAGE_CACHE_DEFAULT_BYTES = 8 * 1024 * MIB;

/** The writeback thresholds with defaults filled in, checked. */
export interface WritebackThresholds {
  expireNs: number;
  backgroundBytes: number;
  dirtyLimitBytes: number;
  mergeBytesMax: number;
  pageCacheBytes: number;
}

export function resolveWritebackThresholds(options: DiskOptions): WritebackThresholds {
  const expireNs = options.dirtyExpireNs ?? DIRTY_EXPIRE_DEFAULT_NS;
  const backgroundBytes = options.dirtyBackgroundBytes ?? DIRTY_BACKGROUND_DEFAULT_BYTES;
  const dirtyLimitBytes = options.dirtyLimitBytes ?? DIRTY_LIMIT_DEFAULT_BYTES;
  const mergeBytesMax = options.writebackMergeBytesMax ?? WRITEBACK_MERGE_DEFAULT_BYTES_MAX;
  const pageCacheBytes = options.pageCacheBytes ?? PAGE_CACHE_DEFAULT_BYTES;
  assertNonNegativeInteger(expireNs, "dirtyExpireNs");
  assertNonNegativeInteger(backgroundBytes, "dirtyBackgroundBytes");
  assertNonNegativeInteger(dirtyLimitBytes, "dirtyLimitBytes");
  assertNonNegativeInteger(mergeBytesMax, "writebackMergeBytesMax");
  assertNonNegativeInteger(pageCacheBytes, "pageCacheBytes");
  // Dirty data cannot be evicted: a cache smaller than the dirty limit could not hold what writers may leave dirty.
  assert(dirtyLimitBytes <= pageCacheBytes, `dirtyLimitBytes ${dirtyLimitBytes} > pageCacheBytes ${pageCacheBytes}`);
  // Throttled writers wait for writeback, which runs once dirty passes the
  // background threshold: with the limit below it they could wait forever.
  assert(backgroundBytes <= dirtyLimitBytes, `dirtyBackgroundBytes ${backgroundBytes} > dirtyLimitBytes ${dirtyLimitBytes}`);
  return { expireNs, backgroundBytes, dirtyLimitBytes, mergeBytesMax, pageCacheBytes };
}
