/**
 * The report's tables: one per metric with a row per N and a column per
 * design, and one row per measured point with the details behind it.
 */
import type { Block, Cell, Table } from "../../src/report/report-blocks.js";
import { busiestByKind, percent } from "./bottleneck.js";
import type { DesignResult, ReportedPoint } from "./design.js";
import { fmtBytes, fmtBytesPerSec, fmtMBps, fmtMsgPerSec, fmtRatio, fmtSeconds, fmtSpread, formatCount } from "./format.js";

/** A table with a row per N and a column per design; "—" where a design has no point at that N. */
export function byBrokersTable(designs: readonly DesignResult[], brokerCounts: readonly number[], cell: (point: ReportedPoint) => Cell, align: "left" | "right" = "right"): Table {
  return {
    header: ["N", ...designs.map((design) => design.label)],
    rows: brokerCounts.map((n) => [String(n), ...designs.map((design): Cell => {
      const point = design.points.find((p) => p.brokers === n);
      return point === undefined ? "—" : cell(point);
    })]),
    align: ["right", ...designs.map(() => align)],
  };
}

const table = (t: Table): Block => ({ kind: "table", table: t });
const paragraph = (text: string): Block => ({ kind: "paragraph", text });

export function replicationBlocks(designs: readonly DesignResult[], brokerCounts: readonly number[]): Block[] {
  const wire = (p: ReportedPoint): number => p.replication.replicationWireBytes / p.replication.ackedPayloadBytes;
  return [
    paragraph(
      "Wire bytes on broker↔broker links (both directions, protocol headers and Ethernet/IP/TCP framing included) per byte of payload the producers got acknowledged, at the fixed offered load. This is the number the chart shows.",
    ),
    table(byBrokersTable(designs, brokerCounts, (p) => fmtRatio(wire(p)))),
    paragraph(
      "Record bytes the followers copied (message payload plus the 61-byte record-batch header of each batch; no request headers, no framing) per acknowledged payload byte. The difference to the table above is protocol and framing overhead.",
    ),
    table(byBrokersTable(designs, brokerCounts, (p) => (p.replication.replicationRecordBytes === null ? "n/a" : fmtRatio(p.replication.replicationRecordBytes / p.replication.ackedPayloadBytes)))),
    paragraph("Broker↔broker wire bytes per wire byte the producers sent to the brokers (both sides counted the same way, framing and headers included):"),
    table(byBrokersTable(designs, brokerCounts, (p) => fmtRatio(p.replication.replicationWireBytes / p.replication.produceWireBytes))),
  ];
}

export function throughputBlocks(designs: readonly DesignResult[], brokerCounts: readonly number[]): Block[] {
  return [
    paragraph("Acknowledged payload per second (MB/s, 1 MB = 10^6 bytes) in the steady-state window, acks=all:"),
    table(byBrokersTable(designs, brokerCounts, (p) => fmtMBps(p.maxThroughput.ackedBytesPerSec))),
    paragraph("The same in acknowledged messages per second:"),
    table(byBrokersTable(designs, brokerCounts, (p) => fmtMsgPerSec(p.maxThroughput.ackedMessagesPerSec))),
    paragraph("The bottleneck of each point, named from the window's measurements by the rule under Methodology:"),
    table(byBrokersTable(designs, brokerCounts, (p) => p.bottleneck, "left")),
  ];
}

/** One row per measured point: the numbers behind the tables above. */
export function detailsTable(designs: readonly DesignResult[]): Table {
  const header = [
    "design",
    "N",
    "partitions",
    "(a) acked",
    "(a) mean batch",
    "(a) lost",
    "(b) offered",
    "(b) acked",
    "(b) carried",
    "(b) at 90% by",
    "(b) steadiness",
    "(b) busiest by kind",
    "(b) in-flight window use",
    "(b) producer backlog at end",
    "(b) repl. wire B per payload B",
  ];
  const rows: Cell[][] = [];
  for (const design of designs) {
    for (const p of design.points) {
      const r = p.replication;
      const m = p.maxThroughput;
      rows.push([
        design.label,
        String(p.brokers),
        String(p.partitions),
        `${formatCount(r.ackedMessages)} msg`,
        `${formatCount(r.ackedMessages / Math.max(1, r.ackedBatches))} msg`,
        { text: formatCount(r.lostMessages), tone: r.lostMessages === 0 ? "ok" : "bad" },
        `${fmtBytesPerSec(m.offeredBytesPerSec)} (${m.producers} producers)`,
        fmtBytesPerSec(m.ackedBytesPerSec),
        percent(m.carriedShare),
        fmtSeconds(m.rampEndNs),
        fmtSpread(m.bucketBytesPerSec),
        busiestByKind(m.resources, 4),
        m.producerWindowUse === null ? "n/a" : percent(m.producerWindowUse),
        fmtBytes(m.producerBacklogBytes),
        fmtRatio(m.replicationWirePerPayload),
      ]);
    }
  }
  return { header, rows, align: header.map((_, k) => (k === 0 || k === 11 ? "left" : "right")) };
}

/** Digests, so a point can be checked to replay identically. */
export function digestsTable(designs: readonly DesignResult[]): Table {
  const rows: Cell[][] = [];
  for (const design of designs) {
    for (const p of design.points) {
      rows.push([design.label, String(p.brokers), p.replication.digest, formatCount(p.replication.events), p.maxThroughput.digest, formatCount(p.maxThroughput.events)]);
    }
  }
  return { header: ["design", "N", "(a) digest", "(a) events", "(b) digest", "(b) events"], rows, align: ["left", "right", "left", "right", "left", "right"] };
}
