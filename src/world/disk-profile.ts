/**
 * Storage device profiles: the few numbers that decide what a broker's
 * durability choices cost. The disk model (disk.ts) charges every device
 * request opLatencyNs, plus switchCostNs when it goes to a different file than
 * the request before it, plus its bytes at the device bandwidth; every fsync
 * ends with a flush costing fsyncLatencyNs.
 *
 * Each number carries its source. "Estimate" marks a number picked to be of
 * the right order where no measurement was at hand; treat it as a knob.
 */
import { assert, assertNonNegativeInteger } from "../kernel/assert.js";
import { microseconds, milliseconds } from "../kernel/time.js";

export interface DiskProfile {
  readonly name: string;
  readonly writeBandwidthBytesPerSec: number;
  readonly readBandwidthBytesPerSec: number;
  /** Per device request: command, controller and queue overhead. */
  readonly opLatencyNs: number;
  /**
   * Extra cost when a request goes to a different file than the previous
   * request: seek plus rotation on a spinning disk. This is what makes "one
   * file per partition" slow on an HDD and one shared commit log fast.
   */
  readonly switchCostNs: number;
  /** The cache flush (or FUA write) that ends every fsync. */
  readonly fsyncLatencyNs: number;
  readonly capacityBytes: number;
}

const MB = 1_000_000;
const TIB = 1024 ** 4;

/** Default capacity for every profile; tests shrink it to provoke disk-full. */
const CAPACITY_DEFAULT_BYTES = TIB;

/** A 7200 rpm SATA disk. */
const HDD: DiskProfile = {
  name: "hdd",
  // Kreps 2014 ("Benchmarking Apache Kafka: 2 million writes per second"):
  // 822 MB/s of linear writes over six 7200 rpm SATA drives ≈ 137 MB/s each.
  writeBandwidthBytesPerSec: 137 * MB,
  // Estimate: the upper end of 7200 rpm sequential transfer (~137–150 MB/s).
  readBandwidthBytesPerSec: 150 * MB,
  // Estimate: SATA command and controller overhead, small next to a seek.
  opLatencyNs: microseconds(100),
  // 4.17 ms average rotational latency at 7200 rpm (half of 60 s / 7200) plus a
  // short track-to-track seek between files that sit near each other.
  switchCostNs: milliseconds(8),
  // etcd / OpenShift storage guidance: HDD-class devices manage about 50–100
  // fsync/s, i.e. ≤ 10 ms per fsync.
  fsyncLatencyNs: milliseconds(10),
  capacityBytes: CAPACITY_DEFAULT_BYTES,
};

/** A consumer SATA SSD (no power-loss protection). */
const SATA_SSD: DiskProfile = {
  name: "sata-ssd",
  // SATA III carries 6 Gb/s with 8b/10b coding ≈ 600 MB/s; drives reach ~500
  // MB/s sequential write and ~550 MB/s read.
  writeBandwidthBytesPerSec: 500 * MB,
  readBandwidthBytesPerSec: 550 * MB,
  // Estimate: AHCI command overhead (one queue, ~0.1 ms per request).
  opLatencyNs: microseconds(100),
  // Estimate: no mechanics; a small FTL / mapping cost for a different file.
  switchCostNs: microseconds(50),
  // Measured on a consumer SSD by a RabbitMQ author: fsync took 5–15 ms,
  // 5.9 ms on average.
  fsyncLatencyNs: microseconds(5_900),
  capacityBytes: CAPACITY_DEFAULT_BYTES,
};

/** A consumer NVMe SSD without power-loss protection. */
const NVME: DiskProfile = {
  name: "nvme",
  // PCIe 3.0 x4 tops out at ~3.9 GB/s; consumer drives of that generation
  // write ~2 GB/s sequentially and read faster.
  writeBandwidthBytesPerSec: 2_000 * MB,
  // Estimate: below the 3.9 GB/s link ceiling.
  readBandwidthBytesPerSec: 3_000 * MB,
  // Estimate: NVMe command round trip at queue depth 1, tens of µs.
  opLatencyNs: microseconds(20),
  // Estimate: no mechanics; a small mapping cost for a different file.
  switchCostNs: microseconds(10),
  // Percona 2018: single-threaded fsync on a Samsung 960 Pro ≈ 3.5 ms (without
  // power-loss protection the drive must really flush its volatile cache).
  fsyncLatencyNs: microseconds(3_500),
  capacityBytes: CAPACITY_DEFAULT_BYTES,
};

/** A datacenter NVMe SSD with power-loss protection: its cache counts as durable. */
const NVME_PLP: DiskProfile = {
  ...NVME,
  name: "nvme-plp",
  // smalldatum 2026 (unconfirmed): 16 KB sync writes take 12–58 µs on drives
  // with power-loss protection, because the flush needs no media write.
  fsyncLatencyNs: microseconds(50),
};

export type DiskProfileName = "hdd" | "sata-ssd" | "nvme" | "nvme-plp";

/** Every named profile, in the order above (slowest first). */
export const DISK_PROFILES: Readonly<Record<DiskProfileName, DiskProfile>> = Object.freeze({
  hdd: HDD,
  "sata-ssd": SATA_SSD,
  nvme: NVME,
  "nvme-plp": NVME_PLP,
});

export const DISK_PROFILE_NAMES: readonly DiskProfileName[] = ["hdd", "sata-ssd", "nvme", "nvme-plp"];

function isDiskProfileName(name: string): name is DiskProfileName {
  return (DISK_PROFILE_NAMES as readonly string[]).includes(name);
}

/**
 * The named profile. An unknown name is a user error (a typo in a scenario or
 * a CLI flag), not a simulator bug, so it throws a plain Error listing the
 * valid names.
 */
export function diskProfile(name: string): DiskProfile {
  if (!isDiskProfileName(name)) {
    throw new Error(`unknown disk profile "${name}" (known: ${DISK_PROFILE_NAMES.join(", ")})`);
  }
  return DISK_PROFILES[name];
}

/** Checks a profile's numbers (named or hand-made) before a disk uses it. */
export function assertDiskProfile(profile: DiskProfile): void {
  assert(profile.name.length > 0, "disk profile name must not be empty");
  assert(
    Number.isFinite(profile.writeBandwidthBytesPerSec) && profile.writeBandwidthBytesPerSec > 0,
    `disk profile ${profile.name}: writeBandwidthBytesPerSec must be > 0`,
  );
  assert(
    Number.isFinite(profile.readBandwidthBytesPerSec) && profile.readBandwidthBytesPerSec > 0,
    `disk profile ${profile.name}: readBandwidthBytesPerSec must be > 0`,
  );
  assertNonNegativeInteger(profile.opLatencyNs, `disk profile ${profile.name}: opLatencyNs`);
  assertNonNegativeInteger(profile.switchCostNs, `disk profile ${profile.name}: switchCostNs`);
  assertNonNegativeInteger(profile.fsyncLatencyNs, `disk profile ${profile.name}: fsyncLatencyNs`);
  assertNonNegativeInteger(profile.capacityBytes, `disk profile ${profile.name}: capacityBytes`);
}
