/**
 * Random operation sequences against one disk (appends, fsyncs, truncates,
 * reads, crashes, power losses, faults, time passing), checking after every
 * step the disk's own invariants and, at every power loss, the promises a
 * broker relies on:
 * - what survives is a prefix of what was there, record for record (only the
 *   last surviving record may be torn, and only with the tornWrites fault);
 * - everything an honest fsync acknowledged survives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Kernel } from "../kernel/kernel.js";
import { Marks } from "../kernel/marks.js";
import { microseconds, milliseconds } from "../kernel/time.js";
import { Disk, type DiskFile } from "./disk.js";
import { DISK_PROFILE_NAMES, diskProfile } from "./disk-profile.js";
import { WorldNode } from "./node.js";
import { KIB } from "./units.js";

type Op =
  | { kind: "append"; file: number; bytes: number }
  | { kind: "fsync"; file: number }
  | { kind: "truncate"; file: number; keepPermille: number }
  | { kind: "read"; file: number; from: number; count: number }
  | { kind: "wait"; ns: number }
  | { kind: "process-crash" }
  | { kind: "power-loss" }
  | { kind: "pause" }
  | { kind: "torn"; isOn: boolean }
  | { kind: "lies"; isOn: boolean }
  | { kind: "slow"; factor: number };

const fileIndex = fc.integer({ min: 0, max: 2 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant("append" as const), file: fileIndex, bytes: fc.oneof(fc.integer({ min: 1, max: 4 * KIB }), fc.integer({ min: 1, max: 3 * 1024 * KIB })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fsync" as const), file: fileIndex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), file: fileIndex, keepPermille: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("read" as const), file: fileIndex, from: fc.nat(20), count: fc.nat(5) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("wait" as const), ns: fc.oneof(fc.integer({ min: 0, max: microseconds(200) }), fc.integer({ min: 0, max: milliseconds(40) })) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "process-crash" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "power-loss" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "pause" as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("torn" as const), isOn: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lies" as const), isOn: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("slow" as const), factor: fc.constantFrom(1, 2, 10) }) },
);

interface PendingFsync {
  file: DiskFile;
  targetBytes: number;
}

function runScenario(profileName: string, dirtyExpireNs: number, ops: Op[], coverage: Marks): void {
  const kernel = new Kernel({ seed: 1 });
  const node = new WorldNode({ index: 0, name: "n0", scheduler: kernel.scheduler });
  node.markBooted();
  const disk = new Disk({
    node,
    scheduler: kernel.scheduler,
    trace: kernel.trace,
    marks: kernel.marks,
    profile: diskProfile(profileName),
    dirtyExpireNs,
    dirtyBackgroundBytes: 2 * 1024 * KIB,
    dirtyLimitBytes: 4 * 1024 * KIB,
    // Small enough that eviction runs among the crashes, truncates and reads.
    pageCacheBytes: 6 * 1024 * KIB,
  });
  const files = ["a", "b", "c"].map((path) => disk.open(path));
  /** Per file: bytes an honest fsync has acknowledged (lowered by truncates). */
  const acked = new Map<DiskFile, number>(files.map((file) => [file, 0]));
  let pending: PendingFsync[] = [];
  let isLying = false;
  let isTearing = false;
  let nextValue = 0;
  const onFsyncDone = (_result: unknown, request: PendingFsync): void => {
    acked.set(request.file, Math.max(acked.get(request.file)!, request.targetBytes));
    pending = pending.filter((entry) => entry !== request);
  };
  const noop = (): void => undefined;

  for (const step of ops) {
    if (!node.isProcessAlive) {
      node.markBooted();
      pending = [];
    }
    if (node.state === "paused") node.markResumed();
    const file = "file" in step ? files[step.file]! : files[0]!;
    switch (step.kind) {
      case "append":
        disk.append(file, nextValue++, step.bytes, noop, null);
        break;
      case "fsync": {
        const request: PendingFsync = { file, targetBytes: file.cachedBytes };
        // A lying fsync promises nothing; its completion must not count.
        if (isLying) disk.fsync(file, noop, null);
        else {
          pending.push(request);
          disk.fsync(file, onFsyncDone, request);
        }
        break;
      }
      case "truncate": {
        disk.truncate(file, Math.floor((file.recordCount * step.keepPermille) / 1000));
        const length = file.cachedBytes;
        acked.set(file, Math.min(acked.get(file)!, length));
        for (const entry of pending) if (entry.file === file) entry.targetBytes = Math.min(entry.targetBytes, length);
        break;
      }
      case "read":
        disk.read(file, Math.min(step.from, file.recordCount), step.count, noop, null);
        break;
      case "wait":
        kernel.scheduler.run({ untilNs: kernel.now + step.ns });
        break;
      case "process-crash":
        node.markDown("process-crash");
        disk.processCrash();
        break;
      case "pause":
        node.markPaused();
        kernel.scheduler.run({ untilNs: kernel.now + milliseconds(5) });
        break;
      case "power-loss": {
        const before = files.map((each) => each.records.map((record) => record.value));
        node.markDown("power-loss");
        disk.powerLoss();
        files.forEach((each, i) => {
          const after = each.records;
          const was = before[i]!;
          expect(after.length).toBeLessThanOrEqual(was.length);
          after.forEach((record, k) => {
            expect(record.value).toBe(was[k]);
            if (record.torn) {
              expect(isTearing).toBe(true);
              expect(k).toBe(after.length - 1);
            }
          });
          expect(each.durableBytes).toBe(each.cachedBytes);
          expect(each.cachedBytes).toBeGreaterThanOrEqual(acked.get(each)!);
          // Recovery: drop a torn tail, as a checksum check would.
          const last = after[after.length - 1];
          if (last !== undefined && last.torn) {
            node.markBooted();
            disk.truncate(each, after.length - 1);
            node.markDown("process-crash");
            disk.processCrash();
          }
          acked.set(each, Math.min(acked.get(each)!, each.cachedBytes));
        });
        break;
      }
      case "torn":
        isTearing = step.isOn;
        disk.faults.setTornWrites(step.isOn);
        break;
      case "lies":
        isLying = step.isOn;
        disk.faults.setFsyncLies(step.isOn);
        break;
      case "slow":
        disk.faults.setSlow(step.factor);
        break;
    }
    disk.checkInvariants();
  }
  if (!node.isProcessAlive) node.markBooted();
  if (node.state === "paused") node.markResumed();
  // Left alone, writeback makes everything durable.
  kernel.scheduler.run();
  expect(disk.dirtyBytes).toBe(0);
  for (const file of files) expect(file.durableRecordCount).toBe(file.recordCount);
  disk.checkInvariants();
  coverage.merge(kernel.marks);
}

describe("disk: random crash sequences", () => {
  it("keep a prefix, keep every honest fsync, and keep the invariants", () => {
    const coverage = new Marks();
    fc.assert(
      fc.property(
        fc.constantFrom(...DISK_PROFILE_NAMES),
        fc.constantFrom(0, milliseconds(20), milliseconds(30_000)),
        fc.array(op, { minLength: 20, maxLength: 80, size: "max" }),
        (profileName, dirtyExpireNs, ops) => runScenario(profileName, dirtyExpireNs, ops, coverage),
      ),
      { numRuns: 300 },
    );
    // A sweep that never reached the rare branches proves little.
    for (const mark of ["disk.torn-record", "disk.power-loss-lost-data", "disk.group-commit", "disk.throttled", "disk.cold-read", "disk.fsync-lie", "disk.evict"]) {
      expect(coverage.count(mark), mark).toBeGreaterThan(0);
    }
  });
});
