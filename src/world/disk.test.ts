import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { NS_PER_SEC, milliseconds, seconds } from "../kernel/time.js";
import { Disk, memcpyNs, type DiskFile, type DiskOptions } from "./disk.js";
import { DISK_PROFILES, DISK_PROFILE_NAMES, diskProfile, type DiskProfile } from "./disk-profile.js";
import { WorldNode } from "./node.js";
import { KIB, MIB, transferNs } from "./units.js";

type Tuning = Omit<DiskOptions, "node" | "scheduler" | "trace" | "marks" | "profile">;

function setup(profile: DiskProfile = DISK_PROFILES.nvme, tuning: Tuning = {}) {
  const kernel = new Kernel({ seed: 7 });
  const node = new WorldNode({ index: 0, name: "n0", scheduler: kernel.scheduler });
  node.markBooted();
  const disk = new Disk({ ...tuning, node, scheduler: kernel.scheduler, trace: kernel.trace, marks: kernel.marks, profile });
  /** What the world does on a power loss, then power back on. */
  const powerCycle = (): void => {
    if (node.isProcessAlive) node.markDown("power-loss");
    else node.markPowerOff();
    disk.powerLoss();
    node.markBooted();
    disk.checkInvariants();
  };
  const processCrash = (): void => {
    node.markDown("process-crash");
    disk.processCrash();
  };
  /** Completion times by tag. */
  const doneAt = new Map<string, number>();
  const onDone = (_result: unknown, tag: string): void => {
    doneAt.set(tag, kernel.now);
  };
  const fsyncAndWait = (file: DiskFile, tag: string): number => {
    const startNs = kernel.now;
    disk.fsync(file, onDone, tag);
    kernel.scheduler.run({ until: () => doneAt.has(tag) });
    expect(doneAt.has(tag)).toBe(true);
    return doneAt.get(tag)! - startNs;
  };
  return { kernel, node, disk, powerCycle, processCrash, doneAt, onDone, fsyncAndWait };
}

function values(file: DiskFile): unknown[] {
  return file.records.map((record) => record.value);
}

describe("disk: utilisation", () => {
  it("counts a request in service only for the part served so far, so busy time never exceeds the time elapsed", () => {
    const { kernel, disk, doneAt, onDone } = setup(DISK_PROFILES.hdd);
    const log = disk.open("log");
    // A 64 MiB fsync keeps the hdd busy for about half a second.
    disk.append(log, "big", 64 * MIB);
    disk.fsync(log, onDone, "sync");
    for (const atNs of [milliseconds(1), milliseconds(100), milliseconds(300)]) {
      kernel.scheduler.run({ untilNs: atNs });
      expect(disk.stats().busyNs).toBeLessThanOrEqual(kernel.now);
      expect(disk.stats().busyNs).toBeGreaterThan(kernel.now - milliseconds(20));
    }
    kernel.scheduler.run({ until: () => doneAt.has("sync") });
    expect(disk.stats().busyNs).toBeLessThanOrEqual(kernel.now);
  });
});

describe("disk: crashes and durability", () => {
  it("a power loss loses exactly the suffix written after the last fsync", () => {
    const { disk, powerCycle, fsyncAndWait } = setup();
    const log = disk.open("log");
    disk.append(log, "A", 1000);
    disk.append(log, "B", 1000);
    fsyncAndWait(log, "sync");
    expect(log.durableRecordCount).toBe(2);
    disk.append(log, "C", 1000);
    disk.append(log, "D", 1000);
    expect(values(log)).toEqual(["A", "B", "C", "D"]);
    expect(log.cachedBytes).toBe(4000);
    expect(log.durableBytes).toBe(2000);

    powerCycle();

    expect(values(log)).toEqual(["A", "B"]);
    expect(log.cachedBytes).toBe(2000);
    expect(log.durableRecordCount).toBe(2);
    expect(disk.open("log")).toBe(log); // file identity survives
    expect(disk.stats().bytesLostAtPowerLoss).toBe(2000);
    expect(log.records.some((record) => record.torn)).toBe(false);
  });

  it("a process crash loses nothing, and writeback later makes it durable", () => {
    const { kernel, disk, processCrash, powerCycle, fsyncAndWait } = setup();
    const log = disk.open("log");
    disk.append(log, "A", 1000);
    disk.append(log, "B", 1000);
    fsyncAndWait(log, "sync");
    disk.append(log, "C", 1000);
    disk.append(log, "D", 1000);
    const crashedAtNs = kernel.now;

    processCrash();
    expect(values(log)).toEqual(["A", "B", "C", "D"]);
    expect(log.durableRecordCount).toBe(2);

    // Writeback is OS work: it runs with no process, once the data expires.
    kernel.scheduler.run();
    expect(log.durableRecordCount).toBe(4);
    expect(log.durableBytes).toBe(4000);
    expect(kernel.now).toBeGreaterThanOrEqual(crashedAtNs + seconds(30));

    powerCycle();
    expect(values(log)).toEqual(["A", "B", "C", "D"]);
    expect(disk.stats().bytesLostAtPowerLoss).toBe(0);
  });

  it("dirty data is written back once older than dirtyExpireNs, and then survives a power loss", () => {
    const { kernel, disk, powerCycle } = setup(DISK_PROFILES.nvme, { dirtyExpireNs: seconds(30) });
    const early = disk.open("early");
    const late = disk.open("late");
    disk.append(early, "e", 4 * KIB);
    kernel.scheduler.run({ untilNs: seconds(20) });
    disk.append(late, "l", 4 * KIB);

    kernel.scheduler.run({ untilNs: seconds(30) - 1 });
    expect(early.durableBytes).toBe(0);
    kernel.scheduler.run({ untilNs: seconds(31) });
    expect(early.durableBytes).toBe(4 * KIB);
    expect(late.durableBytes).toBe(0); // only 11 s old

    powerCycle();
    expect(values(early)).toEqual(["e"]);
    expect(values(late)).toEqual([]);
  });

  it("a lying fsync returns faster than a real one and its data is lost on power loss", () => {
    const honest = setup(DISK_PROFILES["sata-ssd"]);
    const honestLog = honest.disk.open("log");
    honest.disk.append(honestLog, "x", 4 * KIB);
    const honestNs = honest.fsyncAndWait(honestLog, "sync");

    const lying = setup(DISK_PROFILES["sata-ssd"]);
    const lyingLog = lying.disk.open("log");
    lying.disk.faults.setFsyncLies(true);
    lying.disk.append(lyingLog, "x", 4 * KIB);
    const lyingNs = lying.fsyncAndWait(lyingLog, "sync");

    expect(lyingNs).toBe(DISK_PROFILES["sata-ssd"].opLatencyNs);
    expect(lyingNs * 10).toBeLessThan(honestNs);
    expect(lyingLog.durableBytes).toBe(0);
    expect(lying.disk.stats().lyingFsyncs).toBe(1);

    lying.powerCycle();
    expect(values(lyingLog)).toEqual([]);
    honest.powerCycle();
    expect(values(honestLog)).toEqual(["x"]);
  });

  it("a crashed process never sees a completion; a paused one sees it after resume", () => {
    const crashed = setup();
    const crashedLog = crashed.disk.open("log");
    crashed.disk.append(crashedLog, "x", 4 * KIB, crashed.onDone, "append");
    crashed.disk.fsync(crashedLog, crashed.onDone, "fsync");
    crashed.processCrash();
    crashed.kernel.scheduler.run();
    expect(crashed.doneAt.size).toBe(0);
    expect(crashedLog.durableBytes).toBe(4 * KIB); // the device finished the write anyway
    expect(crashed.disk.stats().completionsDropped).toBe(1); // the fsync; the append died in the process queue

    const paused = setup();
    const pausedLog = paused.disk.open("log");
    paused.disk.append(pausedLog, "x", 4 * KIB);
    paused.disk.fsync(pausedLog, paused.onDone, "fsync");
    paused.node.markPaused();
    paused.kernel.scheduler.run({ untilNs: seconds(1) });
    expect(paused.doneAt.has("fsync")).toBe(false);
    expect(pausedLog.durableBytes).toBe(4 * KIB);
    paused.node.markResumed();
    paused.kernel.scheduler.run({ untilNs: seconds(2) });
    expect(paused.doneAt.get("fsync")).toBe(seconds(1));
  });
});

describe("disk: latency", () => {
  it.each(DISK_PROFILE_NAMES)("fsync of a 4 KiB write on %s costs op + switch + transfer + fsyncLatencyNs", (name) => {
    const profile = diskProfile(name);
    const { disk, fsyncAndWait } = setup(profile);
    const log = disk.open("log");
    disk.append(log, "x", 4 * KIB);
    const measuredNs = fsyncAndWait(log, "sync");
    // The device's first request always pays a switch: nothing says where the head is.
    const transfer = Math.ceil((4 * KIB * NS_PER_SEC) / profile.writeBandwidthBytesPerSec);
    expect(measuredNs).toBe(profile.opLatencyNs + profile.switchCostNs + transfer + profile.fsyncLatencyNs);
    expect(measuredNs).toBeGreaterThanOrEqual(profile.fsyncLatencyNs);
    expect(measuredNs).toBeLessThan(profile.fsyncLatencyNs * 1.2 + milliseconds(9));
  });

  it("a slow-disk factor of 10 makes an fsync'd write 10x slower", () => {
    const measure = (factor: number): number => {
      const { disk, fsyncAndWait } = setup(DISK_PROFILES.hdd);
      disk.faults.setSlow(factor);
      const log = disk.open("log");
      disk.append(log, "x", MIB);
      return fsyncAndWait(log, "sync");
    };
    const ratio = measure(10) / measure(1);
    expect(ratio).toBeGreaterThan(9.99);
    expect(ratio).toBeLessThan(10.01);
  });

  it("cold data after a power loss costs a device read; warm data is a memory copy", () => {
    const profile = DISK_PROFILES.hdd;
    const { kernel, disk, powerCycle, fsyncAndWait, onDone, doneAt } = setup(profile);
    const log = disk.open("log");
    disk.append(log, "a", MIB);
    disk.append(log, "b", MIB);
    fsyncAndWait(log, "sync");

    const timeRead = (tag: string, from: number): number => {
      const startNs = kernel.now;
      disk.read(log, from, 1, onDone, tag);
      kernel.scheduler.run({ until: () => doneAt.has(tag) });
      return doneAt.get(tag)! - startNs;
    };
    expect(timeRead("warm-before", 0)).toBe(memcpyNs(MIB));
    expect(disk.stats().cacheReads).toBe(1);

    powerCycle();
    const deviceReadNs = profile.opLatencyNs + profile.switchCostNs + transferNs(MIB, profile.readBandwidthBytesPerSec);
    expect(timeRead("cold", 0)).toBe(deviceReadNs + memcpyNs(MIB));
    expect(disk.stats().deviceReadRequests).toBe(1);
    expect(disk.stats().bytesReadFromDevice).toBe(MIB);
    // Once read, it is warm; the record next to it is still cold.
    expect(timeRead("warm-again", 0)).toBe(memcpyNs(MIB));
    expect(timeRead("cold-neighbour", 1)).toBeGreaterThan(transferNs(MIB, profile.readBandwidthBytesPerSec));
    expect(disk.stats().deviceReadRequests).toBe(2);
    expect(disk.stats().cacheReads).toBe(2);
  });
});

describe("disk: faults", () => {
  it("a full disk returns disk-full and stores nothing", () => {
    const { kernel, disk, doneAt, onDone } = setup({ ...DISK_PROFILES.nvme, capacityBytes: 10_000 });
    const log = disk.open("log");
    expect(disk.append(log, "a", 6000, onDone, "a")).toBe("ok");
    expect(disk.append(log, "b", 6000, onDone, "b")).toBe("disk-full");
    expect(values(log)).toEqual(["a"]);
    expect(disk.usedBytes).toBe(6000);

    disk.faults.setFull(true);
    expect(disk.append(log, "c", 10, onDone, "c")).toBe("disk-full");
    disk.faults.clear();
    expect(disk.append(log, "d", 10, onDone, "d")).toBe("ok");

    kernel.scheduler.run({ untilNs: milliseconds(1) });
    expect([...doneAt.keys()].sort()).toEqual(["a", "d"]); // no completion for a refused append
    expect(values(log)).toEqual(["a", "d"]);
    expect(disk.stats().fullRejections).toBe(2);
    disk.checkInvariants();
  });

  it("with tornWrites, a power loss mid-write leaves a torn last record; without, the record is gone whole", () => {
    const crashMidWrite = (isTearing: boolean) => {
      const { kernel, disk, powerCycle, fsyncAndWait } = setup(DISK_PROFILES.hdd);
      disk.faults.setTornWrites(isTearing);
      const log = disk.open("log");
      disk.append(log, "small", 4 * KIB);
      fsyncAndWait(log, "first");
      disk.append(log, "big", 8 * MIB);
      disk.fsync(log, () => undefined, null);
      // The write starts now (the device is idle) and is about half done at the loss.
      const serviceNs = DISK_PROFILES.hdd.opLatencyNs + transferNs(8 * MIB, DISK_PROFILES.hdd.writeBandwidthBytesPerSec);
      kernel.scheduler.run({ untilNs: kernel.now + Math.floor(serviceNs / 2) });
      expect(log.durableRecordCount).toBe(1);
      powerCycle();
      return { log, disk };
    };

    const torn = crashMidWrite(true);
    expect(values(torn.log)).toEqual(["small", "big"]);
    const last = torn.log.records[1]!;
    expect(last.torn).toBe(true);
    expect(last.bytes % 512).toBe(0);
    expect(last.bytes).toBeGreaterThan(3 * MIB);
    expect(last.bytes).toBeLessThan(5 * MIB);
    expect(torn.log.records[0]!.torn).toBe(false);
    expect(torn.disk.stats().tornWrites).toBe(1);
    // Recovery drops the torn record; the log is whole again and takes appends.
    torn.disk.truncate(torn.log, 1);
    expect(torn.log.cachedBytes).toBe(4 * KIB);
    expect(torn.disk.append(torn.log, "next", 100)).toBe("ok");
    torn.disk.checkInvariants();

    const whole = crashMidWrite(false);
    expect(values(whole.log)).toEqual(["small"]);
    expect(whole.log.cachedBytes).toBe(4 * KIB);
    expect(whole.disk.stats().tornWrites).toBe(0);
  });
});

describe("disk: device and page cache", () => {
  // One writer doing blocking write()s of 64 KiB round robin over N files, as
  // a broker appends to N partition logs, for 12 s. Over
  // dirtyLimitBytes each write waits for writeback (balance_dirty_pages), so
  // the rate the writer sustains is the rate the flusher gets data onto the
  // device: about (dirty data / N) per visit of a file, one seek each.
  const sustainedWriteBytesPerSec = (profileName: string, fileCount: number): number => {
    const { kernel, disk } = setup(diskProfile(profileName));
    const files = Array.from({ length: fileCount }, (_, i) => disk.open(`p${String(i).padStart(4, "0")}.log`));
    const appendBytes = 64 * KIB;
    const warmUpNs = seconds(4);
    const endNs = seconds(12);
    let next = 0;
    let bytesAfterWarmUp = 0;
    const writeNext = (): void => {
      if (kernel.now >= endNs) return;
      if (kernel.now >= warmUpNs) bytesAfterWarmUp += appendBytes;
      disk.append(files[next++ % fileCount]!, next, appendBytes, writeNext, undefined);
    };
    writeNext();
    kernel.scheduler.run({ untilNs: endNs });
    disk.checkInvariants();
    return (bytesAfterWarmUp * NS_PER_SEC) / (endNs - warmUpNs);
  };

  it("on hdd the sustained write rate slopes down as files multiply; on nvme it holds", () => {
    const counts = [1, 2, 8, 64, 512, 2048];
    const hdd = counts.map((count) => sustainedWriteBytesPerSec("hdd", count));
    const nvme = counts.map((count) => sustainedWriteBytesPerSec("nvme", count));
    const mb = (rates: number[]): string => rates.map((rate) => (rate / 1e6).toFixed(1)).join(" / ");
    console.log(`sustained MB/s for ${counts.join(" / ")} files: hdd ${mb(hdd)}, nvme ${mb(nvme)}`);
    // A slope, not a step: two files cost little more than one...
    expect(hdd[1]! / hdd[0]!).toBeGreaterThan(0.9);
    // ...and every step from 8 to 2048 files costs more.
    for (let i = 3; i < counts.length; i++) expect(hdd[i]!).toBeLessThan(hdd[i - 1]! * (i === 3 ? 0.97 : 0.8));
    expect(hdd[2]! / hdd[5]!).toBeGreaterThan(4);
    expect(nvme[5]! / nvme[2]!).toBeGreaterThan(0.8);
  });

  it("one file's writeback is merged into 1 MiB requests and pays one switch", () => {
    const { kernel, disk } = setup(DISK_PROFILES.hdd, { dirtyExpireNs: 0 });
    const log = disk.open("log");
    for (let i = 0; i < 64; i++) disk.append(log, i, 64 * KIB);
    kernel.scheduler.run();
    const stats = disk.stats();
    expect(stats.deviceWriteRequests).toBe(4);
    expect(stats.switches).toBe(1);
    expect(stats.busyNs).toBe(kernel.now);
  });

  it("writes over dirtyLimitBytes are throttled until writeback drains below it", () => {
    const { kernel, disk, doneAt, onDone } = setup(DISK_PROFILES.hdd, {
      dirtyBackgroundBytes: MIB,
      dirtyLimitBytes: 2 * MIB,
    });
    const log = disk.open("log");
    disk.append(log, 1, MIB, onDone, "1");
    disk.append(log, 2, MIB, onDone, "2");
    disk.append(log, 3, MIB, onDone, "3");
    kernel.scheduler.run();
    expect(doneAt.get("1")).toBe(memcpyNs(MIB));
    expect(doneAt.get("2")).toBe(memcpyNs(MIB));
    // Background writeback starts at once (over 1 MiB dirty); the third write
    // returns when the first 1 MiB request is on the device.
    const firstWriteNs = DISK_PROFILES.hdd.opLatencyNs + DISK_PROFILES.hdd.switchCostNs + transferNs(MIB, DISK_PROFILES.hdd.writeBandwidthBytesPerSec);
    expect(doneAt.get("3")).toBe(firstWriteNs + memcpyNs(MIB));
    expect(disk.stats().throttledWrites).toBe(1);
  });

  it("the page cache evicts clean data oldest first beyond pageCacheBytes: a reader that falls behind goes to the device", () => {
    const { kernel, disk, doneAt, onDone } = setup(DISK_PROFILES.hdd, { pageCacheBytes: 8 * MIB, dirtyLimitBytes: 4 * MIB, dirtyBackgroundBytes: MIB });
    const log = disk.open("log");
    for (let i = 0; i < 32; i++) disk.append(log, i, MIB);
    kernel.scheduler.run();
    expect(log.durableBytes).toBe(32 * MIB);
    disk.checkInvariants();
    expect(disk.residentBytes).toBeLessThanOrEqual(8 * MIB);
    expect(disk.stats().pageCacheEvictedBytes).toBe(24 * MIB);
    // The newest 8 MiB is still cached; the oldest went back to the device only.
    disk.read(log, 31, 1, onDone, "tail");
    kernel.scheduler.run();
    expect(disk.stats().deviceReadRequests).toBe(0);
    const before = kernel.now;
    disk.read(log, 0, 1, onDone, "head");
    kernel.scheduler.run();
    expect(disk.stats().deviceReadRequests).toBe(1);
    expect(disk.stats().bytesReadFromDevice).toBe(MIB);
    expect(doneAt.get("head")! - before).toBeGreaterThan(transferNs(MIB, DISK_PROFILES.hdd.readBandwidthBytesPerSec));
    // Read back in, it is resident again, and something older than it made room.
    disk.checkInvariants();
    expect(disk.residentBytes).toBeLessThanOrEqual(8 * MIB);
  });

  it("concurrent fsyncs of one file share a flush (group commit)", () => {
    const { kernel, disk, doneAt, onDone } = setup(DISK_PROFILES.hdd);
    const log = disk.open("log");
    disk.append(log, "a", 4 * KIB);
    disk.fsync(log, onDone, "first");
    disk.fsync(log, onDone, "second");
    kernel.scheduler.run({ untilNs: seconds(1) });
    expect(disk.stats().deviceFlushes).toBe(1);
    expect(doneAt.get("first")).toBe(doneAt.get("second"));
    expect(kernel.marks.count("disk.group-commit")).toBe(1);
  });

  it("fsyncs of different files share a flush that has not started (a file system's journal commit), and survive a power loss", () => {
    const { kernel, disk, doneAt, onDone, powerCycle } = setup(DISK_PROFILES.nvme);
    const files = ["a", "b", "c"].map((name) => disk.open(name));
    // a's write goes to the device at once and its flush queues behind it, unstarted, while b's and c's fsyncs arrive.
    for (const [k, file] of files.entries()) {
      disk.append(file, `v${k}`, 4 * KIB);
      disk.fsync(file, onDone, file.path);
    }
    kernel.scheduler.run({ untilNs: seconds(1) });
    // One flush (3.5 ms on nvme) for the three files, not one per file.
    expect(disk.stats().deviceFlushes).toBe(1);
    expect(new Set(files.map((f) => doneAt.get(f.path))).size).toBe(1);
    expect(kernel.marks.count("disk.group-commit-files")).toBe(2);
    powerCycle();
    for (const [k, file] of files.entries()) expect(values(file)).toEqual([`v${k}`]);
  });

  it("truncate drops the tail durably, even data still in flight", () => {
    const { kernel, disk, powerCycle } = setup(DISK_PROFILES.hdd);
    const log = disk.open("log");
    for (const value of ["a", "b", "c"]) disk.append(log, value, 100 * KIB);
    disk.fsync(log, () => undefined, null);
    disk.truncate(log, 1); // the write of all three is already on the device queue
    expect(values(log)).toEqual(["a"]);
    disk.append(log, "d", 100 * KIB);
    kernel.scheduler.run({ untilNs: seconds(1) });
    expect(log.durableBytes).toBe(100 * KIB); // "d" is dirty, not durable
    disk.checkInvariants();
    powerCycle();
    expect(values(log)).toEqual(["a"]);
  });

  it("namespace: open, exists, list sorted, remove", () => {
    const { disk } = setup();
    disk.open("b.log");
    const a = disk.open("a.log");
    disk.append(a, "x", 10);
    expect(disk.exists("a.log")).toBe(true);
    expect(disk.list()).toEqual(["a.log", "b.log"]);
    expect(disk.remove("a.log")).toBe(true);
    expect(disk.remove("a.log")).toBe(false);
    expect(disk.list()).toEqual(["b.log"]);
    expect(disk.usedBytes).toBe(0);
    expect(disk.open("a.log")).not.toBe(a);
    expect(() => diskProfile("floppy")).toThrow(/known: hdd, sata-ssd, nvme, nvme-plp/);
  });

  it("the same scenario gives the same trace digest", () => {
    const run = (): string => {
      const { kernel, disk, powerCycle } = setup(DISK_PROFILES.hdd, { dirtyExpireNs: milliseconds(5) });
      disk.faults.setTornWrites(true);
      const files = [disk.open("x"), disk.open("y")];
      for (let i = 0; i < 40; i++) disk.append(files[i % 2]!, i, 200 * KIB + i);
      disk.fsync(files[0]!, () => undefined, null);
      kernel.scheduler.run({ untilNs: milliseconds(60) });
      powerCycle();
      return kernel.digestHex();
    };
    expect(run()).toBe(run());
  });
});
