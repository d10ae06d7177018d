/**
 * The storage device of one machine: ONE FIFO queue of requests, served one at
 * a time. A request's service time is
 *
 *   opLatencyNs + (switchCostNs if it goes to a different file than the
 *   previous request) + its bytes at the device bandwidth,
 *
 * or fsyncLatencyNs for a flush, all multiplied by the slow-disk factor.
 * Serving one request at a time keeps the queueing visible: an fsync waits
 * behind writeback, a cold read behind both.
 *
 * The device is machine (OS) work: a process crash does not stop it; a power
 * loss cancels it (the node cancels the machine group) and powerLoss() empties
 * the queue.
 */
import { assert, assertNonNegativeInteger } from "../kernel/assert.js";
import type { TimeNs } from "../kernel/time.js";
import { RingQueue } from "../kernel/ring-queue.js";
import type { DiskFile } from "./disk-file.js";
import type { DiskOp } from "./disk-completions.js";
import type { DiskProfile } from "./disk-profile.js";
import type { WorldNode } from "./node.js";
import { transferNs } from "./units.js";

export type DeviceRequestKind = "write" | "flush" | "read";

export class DeviceRequest {
  readonly kind: DeviceRequestKind;
  /** The file read or written; null for a flush (it is device-wide). */
  readonly file: DiskFile | null;
  /** File byte range; a truncate may shorten a queued write's range (its transfer stays as issued). */
  startBytes: number;
  endBytes: number;
  /** Bytes the device moves, fixed when the request is issued. */
  readonly bytes: number;
  /** Position in the device's submission order. */
  readonly seq: number;
  /** Issued by background writeback rather than by an fsync. */
  readonly isWriteback: boolean;
  /** Callers waiting for this request: the fsyncs a flush serves, a read. */
  readonly waiters: DiskOp[] = [];
  startedAtNs: TimeNs = -1;
  serviceNs = 0;

  constructor(
    kind: DeviceRequestKind,
    file: DiskFile | null,
    startBytes: number,
    endBytes: number,
    bytes: number,
    seq: number,
    isWriteback: boolean,
  ) {
    this.kind = kind;
    this.file = file;
    this.startBytes = startBytes;
    this.endBytes = endBytes;
    this.bytes = bytes;
    this.seq = seq;
    this.isWriteback = isWriteback;
  }
}

/** Told when the device finishes a request (runs as machine work). */
export interface DeviceListener {
  onDeviceDone(request: DeviceRequest): void;
}

/** Service time of one request; exported so tests can state expectations in the model's own terms. */
export function serviceTimeNs(
  profile: DiskProfile,
  kind: DeviceRequestKind,
  bytes: number,
  isSwitch: boolean,
  slowFactor: number,
): number {
  let baseNs: number;
  if (kind === "flush") {
    baseNs = profile.fsyncLatencyNs;
  } else {
    const bandwidth = kind === "write" ? profile.writeBandwidthBytesPerSec : profile.readBandwidthBytesPerSec;
    baseNs = profile.opLatencyNs + (isSwitch ? profile.switchCostNs : 0) + transferNs(bytes, bandwidth);
  }
  return slowFactor === 1 ? baseNs : Math.ceil(baseNs * slowFactor);
}

/** A torn write lands in whole sectors. */
export const SECTOR_BYTES = 512;

/**
 * How much of a write cut short at nowNs reached the media: whole sectors, in
 * proportion to the part of its service time that had elapsed.
 */
export function landedSectorBytes(request: DeviceRequest, nowNs: TimeNs): number {
  assert(request.kind === "write" && request.serviceNs > 0 && request.startedAtNs >= 0, `request ${request.seq} was not a write in service`);
  const elapsedNs = Math.min(nowNs - request.startedAtNs, request.serviceNs);
  return Math.floor((request.bytes * (elapsedNs / request.serviceNs)) / SECTOR_BYTES) * SECTOR_BYTES;
}

export class DiskDevice {
  private readonly node: WorldNode;
  private readonly profile: DiskProfile;
  private readonly listener: DeviceListener;
  private readonly queue = new RingQueue<DeviceRequest>(16);
  private current: DeviceRequest | null = null;
  /** File of the last read or write served; a flush does not move the head. */
  private lastFile: DiskFile | null = null;
  /** The most recently submitted flush while it has not started (fsyncs may join it). */
  private latestFlush: DeviceRequest | null = null;
  private seqNext = 1;
  private busyUntil: TimeNs = 0;
  private busyNsTotal = 0;
  private switchesTotal = 0;
  /** Slow-disk fault: every service time is multiplied by this (1 = normal). */
  slowFactor = 1;

  constructor(options: { node: WorldNode; profile: DiskProfile; listener: DeviceListener }) {
    this.node = options.node;
    this.profile = options.profile;
    this.listener = options.listener;
  }

  /**
   * Time the device has spent serving requests up to now (for utilisation):
   * the request in service counts only for the part already served, so a
   * window read between two probes never exceeds the window.
   */
  get busyNs(): number {
    const now = this.node.now;
    return this.current !== null && this.busyUntil > now ? this.busyNsTotal - (this.busyUntil - now) : this.busyNsTotal;
  }

  /** Requests that went to a different file than the one before (seeks on an HDD). */
  get switches(): number {
    return this.switchesTotal;
  }

  /** When the request in service ends (a past time when idle). */
  get busyUntilNs(): TimeNs {
    return this.busyUntil;
  }

  get inFlight(): DeviceRequest | null {
    return this.current;
  }

  /** Requests waiting, not counting the one in service. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** The latest flush that has not started: a fsync whose data all precedes it can share it (group commit). */
  get latestQueuedFlush(): DeviceRequest | null {
    return this.latestFlush;
  }

  nextSeq(): number {
    return this.seqNext++;
  }

  /**
   * Queues a write just ahead of a flush that has not started, so the flush
   * covers it (a file system commits every file's fsync that arrives before
   * its journal commit starts in that one commit: ext4's jbd2, XFS's log).
   */
  submitBefore(request: DeviceRequest, flush: DeviceRequest): void {
    assert(request.kind === "write" && flush.kind === "flush" && flush.startedAtNs === -1, "submitBefore: a write ahead of a queued flush");
    assertNonNegativeInteger(request.bytes, "device request bytes");
    let index = -1;
    for (let k = 0; k < this.queue.length; k++) if (this.queue.at(k) === flush) index = k;
    assert(index >= 0, `flush ${flush.seq} is not queued`);
    this.queue.insertAt(index, request);
  }

  submit(request: DeviceRequest): void {
    if (!(request.startedAtNs === -1)) assert(false, `device request ${request.seq} submitted twice`);
    assertNonNegativeInteger(request.bytes, "device request bytes");
    this.queue.push(request);
    if (request.kind === "flush") this.latestFlush = request;
    if (this.current === null) this.startNext();
  }

  /**
   * The file was truncated to lengthBytes: pending writes and fsync targets
   * past the new end refer to data that no longer exists. Clamping keeps each
   * file's writes contiguous, so a completing write still starts exactly at
   * durableBytes. The transfers keep their issued size: the bytes still move.
   */
  clampFile(file: DiskFile, lengthBytes: number): void {
    if (this.current !== null) clampRequest(this.current, file, lengthBytes);
    for (let i = 0; i < this.queue.length; i++) clampRequest(this.queue.at(i), file, lengthBytes);
  }

  /**
   * Power is gone: the queue is emptied and the request in service (if any)
   * is returned so the caller can decide how much of it landed. Its unserved
   * time is taken back out of busyNs.
   */
  powerLoss(): DeviceRequest | null {
    const interrupted = this.current;
    const now = this.node.now;
    if (interrupted !== null && this.busyUntil > now) this.busyNsTotal -= this.busyUntil - now;
    this.queue.clear();
    this.current = null;
    this.latestFlush = null;
    // After a reboot nothing says where the head is: the first request pays a switch.
    this.lastFile = null;
    this.busyUntil = now;
    return interrupted;
  }

  private startNext(): void {
    const request = this.queue.shift();
    if (request === undefined) return;
    if (this.latestFlush === request) this.latestFlush = null;

    let isSwitch = false;
    if (request.kind !== "flush") {
      isSwitch = request.file !== this.lastFile;
      this.lastFile = request.file;
      if (isSwitch) this.switchesTotal++;
    }
    const service = serviceTimeNs(this.profile, request.kind, request.bytes, isSwitch, this.slowFactor);
    const now = this.node.now;
    request.startedAtNs = now;
    request.serviceNs = service;
    this.busyNsTotal += service;
    this.busyUntil = now + service;
    this.current = request;
    this.node.afterOnMachine(service, this.onServed);
  }

  private readonly onServed = (): void => {
    const request = this.current;
    assert(request !== null, "device completion with no request in service");
    this.current = null;
    // The listener may submit follow-up work (the next writeback request); if
    // it does, submit() starts the queue head, so FIFO order is kept.
    this.listener.onDeviceDone(request);
    if (this.current === null) this.startNext();
  };
}

function clampRequest(request: DeviceRequest, file: DiskFile, lengthBytes: number): void {
  if (request.kind === "write" && request.file === file) {
    request.startBytes = Math.min(request.startBytes, lengthBytes);
    request.endBytes = Math.min(request.endBytes, lengthBytes);
  } else if (request.kind === "flush") {
    for (const op of request.waiters) {
      if (op.file === file) op.targetBytes = Math.min(op.targetBytes, lengthBytes);
    }
  }
}
