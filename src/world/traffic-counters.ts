/**
 * Bytes and packets put on the wire, per ordered link and traffic class.
 * Everything else (per node, per class, per link) is summed from this one
 * table, so the totals can never disagree. This is where "mirror-all costs
 * N-1 copies of every message" becomes a number.
 */
import { CLASS_COUNT_MAX } from "./partition.js";

export interface LinkTraffic {
  from: string;
  to: string;
  trafficClass: string;
  bytes: number;
  packets: number;
}

export class TrafficCounters {
  private readonly nodeCount: number;
  private readonly bytes: Float64Array;
  private readonly packets: Float64Array;
  private droppedPacketsTotal = 0;
  private droppedBytesTotal = 0;

  constructor(nodeCount: number) {
    this.nodeCount = nodeCount;
    this.bytes = new Float64Array(nodeCount * nodeCount * CLASS_COUNT_MAX);
    this.packets = new Float64Array(nodeCount * nodeCount * CLASS_COUNT_MAX);
  }

  countSent(src: number, dst: number, classId: number, wireBytes: number): void {
    const cell = (src * this.nodeCount + dst) * CLASS_COUNT_MAX + classId;
    this.bytes[cell] = this.bytes[cell]! + wireBytes;
    this.packets[cell] = this.packets[cell]! + 1;
  }

  countDropped(wireBytes: number): void {
    this.droppedPacketsTotal++;
    this.droppedBytesTotal += wireBytes;
  }

  get droppedPackets(): number {
    return this.droppedPacketsTotal;
  }

  get droppedBytes(): number {
    return this.droppedBytesTotal;
  }

  bytesSent(src: number, dst: number, classId: number): number {
    return this.bytes[(src * this.nodeCount + dst) * CLASS_COUNT_MAX + classId]!;
  }

  /** Every (link, class) cell with traffic, in node-index then class order. */
  links(nodeName: (index: number) => string, className: (id: number) => string): LinkTraffic[] {
    const rows: LinkTraffic[] = [];
    for (let src = 0; src < this.nodeCount; src++) {
      for (let dst = 0; dst < this.nodeCount; dst++) {
        for (let c = 0; c < CLASS_COUNT_MAX; c++) {
          const cell = (src * this.nodeCount + dst) * CLASS_COUNT_MAX + c;
          if (this.packets[cell] === 0) continue;
          rows.push({
            from: nodeName(src),
            to: nodeName(dst),
            trafficClass: className(c),
            bytes: this.bytes[cell]!,
            packets: this.packets[cell]!,
          });
        }
      }
    }
    return rows;
  }

  nodeTxBytes(src: number): number {
    let total = 0;
    for (let dst = 0; dst < this.nodeCount; dst++) {
      for (let c = 0; c < CLASS_COUNT_MAX; c++) total += this.bytes[(src * this.nodeCount + dst) * CLASS_COUNT_MAX + c]!;
    }
    return total;
  }

  nodeRxBytes(dst: number): number {
    let total = 0;
    for (let src = 0; src < this.nodeCount; src++) {
      for (let c = 0; c < CLASS_COUNT_MAX; c++) total += this.bytes[(src * this.nodeCount + dst) * CLASS_COUNT_MAX + c]!;
    }
    return total;
  }

  classBytes(classId: number): number {
    let total = 0;
    for (let link = 0; link < this.nodeCount * this.nodeCount; link++) total += this.bytes[link * CLASS_COUNT_MAX + classId]!;
    return total;
  }

  totalBytes(): number {
    let total = 0;
    for (let i = 0; i < this.bytes.length; i++) total += this.bytes[i]!;
    return total;
  }
}
