/**
 * What a run report says, as a ReportDocument: the header facts, the summary
 * tables, the charts' place, the fault schedule and the replay command. The
 * Markdown and HTML pages are both rendered from this one description.
 */
import { compareStrings } from "../kernel/order.js";
import {
  formatBytes,
  formatBytesPerSec,
  formatCount,
  formatDuration,
  formatInstant,
  formatMegabytesPerSec,
  formatRate,
  formatSecondsValue,
} from "./format.js";
import type { Block, Cell, ReportDocument, Section, Table } from "./report-blocks.js";
import { replayCommand } from "./replay-command.js";
import type { LatencySummary, RunSummary, Verdict } from "./run-summary.js";
import { clusterEventsSection, lostMessagesSection } from "./run-story-sections.js";

export function verdictCell(verdict: Verdict): Cell {
  return { text: verdict, tone: verdict === "ok" ? "ok" : "bad" };
}

const table = (t: Table): Block => ({ kind: "table", table: t });

function throughputSection(s: RunSummary): Section {
  const m = s.messages;
  return {
    id: "throughput",
    title: "Throughput and messages",
    blocks: [
      table({
        header: ["measure", "value"],
        align: ["left", "right"],
        rows: [
          ["acked messages per second", formatRate(s.throughput.ackedPerSec)],
          ["acked bytes per second", formatBytesPerSec(s.throughput.ackedBytesPerSec)],
          ["sent", formatCount(m.sent)],
          ["acked", formatCount(m.acked)],
          ["failed (refused or timed out)", formatCount(m.failed)],
          ["unknown outcome", formatCount(m.unknown)],
          ["applied by consumers", formatCount(m.applied)],
        ],
      }),
    ],
  };
}

function latencyRow(name: string, latency: LatencySummary): Cell[] {
  return [
    name,
    formatCount(latency.count),
    formatDuration(latency.p50Ns),
    formatDuration(latency.p99Ns),
    formatDuration(latency.p999Ns),
    formatDuration(latency.maxNs),
  ];
}

function latencySection(s: RunSummary): Section {
  const rows: Cell[][] = [latencyRow("produce (send → ack)", s.latency.produce)];
  if (s.latency.endToEnd !== null) rows.push(latencyRow("end to end (send → first effect)", s.latency.endToEnd));
  const blocks: Block[] = [table({ header: ["latency", "samples", "p50", "p99", "p99.9", "max"], align: ["left", "right", "right", "right", "right", "right"], rows })];
  if (s.latency.endToEnd === null) blocks.push({ kind: "paragraph", text: "No consumer applied effects, so there is no end-to-end latency." });
  return { id: "latency", title: "Latency", blocks };
}

function checksSection(s: RunSummary): Section {
  if (s.checks.length === 0) return { id: "checks", title: "Checks", blocks: [{ kind: "paragraph", text: "No checks ran." }] };
  const rows = s.checks.map((check): Cell[] => [
    check.check,
    check.ok ? { text: "ok", tone: "ok" } : { text: "FAILED", tone: "bad" },
    check.line,
    check.first === undefined
      ? ""
      : `${check.first.message} (at ${formatInstant(check.first.timeNs)}, event #${check.first.eventIndex})`,
  ]);
  return { id: "checks", title: "Checks", blocks: [table({ header: ["check", "result", "summary", "first violation"], rows })] };
}

function availabilitySection(s: RunSummary): Section {
  const live = s.liveness;
  const rows: Cell[][] = [
    ["writes unavailable (some stream)", formatSecondsValue(s.unavailability.sendSeconds)],
    ["  of which opened by refused sends", formatSecondsValue(s.unavailability.sendRefusedSeconds)],
    ["  worst stream", s.unavailability.worstStream === null ? "none" : `${s.unavailability.worstStream.stream}: ${formatSecondsValue(s.unavailability.worstStream.seconds)}`],
    ["producers' error windows", formatSecondsValue(s.unavailability.sendErrorSeconds)],
    ["consumers' error windows", formatSecondsValue(s.unavailability.receiveSeconds)],
    [
      "converged after healing",
      live.isConverged ? { text: `yes, at ${formatInstant(live.convergedAtNs)}`, tone: "ok" } : { text: "no", tone: "bad" },
    ],
  ];
  const blocks: Block[] = [table({ header: ["measure", "value"], align: ["left", "right"], rows })];
  const streams = s.unavailability.streams;
  if (streams.length > 1) {
    const streamRows = streams.map((stream): Cell[] => [stream.stream, formatSecondsValue(stream.seconds), formatSecondsValue(stream.refusedSeconds)]);
    blocks.push({ kind: "paragraph", text: "Writes unavailable per stream (a message offered to it waited more than 100 ms for its next acknowledgement):" }, table({ header: ["stream", "unavailable", "refused"], align: ["left", "right", "right"], rows: streamRows }));
  }
  if (live.reasons.length > 0) blocks.push({ kind: "paragraph", text: "Not converged because:" }, { kind: "list", items: live.reasons });
  return { id: "availability", title: "Availability and liveness", blocks };
}

function networkSection(s: RunSummary): Section {
  const byClass = [...s.traffic.byClass].sort((a, b) => compareStrings(a.trafficClass, b.trafficClass));
  const classTotal = byClass.reduce((sum, c) => sum + c.bytes, 0);
  const blocks: Block[] = [
    table({
      header: ["traffic class", "bytes on the wire"],
      align: ["left", "right"],
      rows: [...byClass.map((c): Cell[] => [c.trafficClass, formatBytes(c.bytes)]), ["total", formatBytes(classTotal)]],
    }),
  ];
  const inter = s.interNode;
  if (inter !== undefined && inter.bytes > 0) {
    const rows: Cell[][] = [["all", formatBytes(inter.bytes), inter.perAckedByte.toFixed(2)]];
    if (inter.replicationBytes !== undefined) rows.push(["replication (mirrors, Raft)", formatBytes(inter.replicationBytes), (inter.replicationPerAckedByte ?? 0).toFixed(2)]);
    for (const kind of inter.byKind ?? []) rows.push([`message kind ${kind.kind}`, formatBytes(kind.bytes), inter.perAckedByte > 0 ? ((kind.bytes / inter.bytes) * inter.perAckedByte).toFixed(2) : "0.00"]);
    blocks.push(table({ header: ["between the system's nodes", "bytes on the wire", "per acknowledged payload byte"], align: ["left", "right", "right"], rows }));
  }
  if (s.traffic.byNode.length > 0) {
    blocks.push(
      table({
        header: ["node", "sent", "received"],
        align: ["left", "right", "right"],
        rows: s.traffic.byNode.map((n): Cell[] => [n.node, formatBytes(n.sentBytes), formatBytes(n.receivedBytes)]),
      }),
    );
  }
  return { id: "network", title: "Network bytes", blocks };
}

function diskSection(s: RunSummary): Section {
  if (s.disks.length === 0) return { id: "disks", title: "Disks", blocks: [{ kind: "paragraph", text: "No node wrote to disk." }] };
  const rows = s.disks.map((d): Cell[] => [
    d.node,
    formatBytes(d.writtenBytes),
    formatMegabytesPerSec(d.writeBytesPerSec),
    formatCount(d.fsyncs),
    d.lostAtPowerLossBytes > 0 ? { text: formatBytes(d.lostAtPowerLossBytes), tone: "bad" } : "0 B",
  ]);
  return {
    id: "disks",
    title: "Disks",
    blocks: [table({ header: ["node", "written", "write rate", "fsyncs", "lost at power loss"], align: ["left", "right", "right", "right", "right"], rows })],
  };
}

function faultSection(s: RunSummary): Section {
  const blocks: Block[] =
    s.faults.length === 0 ? [{ kind: "paragraph", text: "No faults were injected." }] : [{ kind: "code", text: s.faults.map((fault) => fault.line).join("\n") }];
  return { id: "faults", title: "Fault schedule", blocks };
}

function marksSection(s: RunSummary): Section {
  const blocks: Block[] =
    s.marks.length === 0
      ? [{ kind: "paragraph", text: "No coverage marks were hit." }]
      : [table({ header: ["mark", "hits"], align: ["left", "right"], rows: s.marks.map(([name, count]): Cell[] => [name, formatCount(count)]) })];
  return { id: "marks", title: "Coverage marks", blocks };
}

const present = (section: Section | null): Section[] => (section === null ? [] : [section]);

export function runDocument(s: RunSummary): ReportDocument {
  return {
    header: {
      title: `Run report: ${s.scenario}`,
      facts: [
        { label: "scenario", value: s.scenario },
        { label: "system", value: s.system },
        { label: "seed", value: s.seed },
        { label: "digest", value: s.digest },
        { label: "verdict", value: s.verdict, tone: s.verdict === "ok" ? "ok" : "bad" },
        { label: "virtual time", value: formatDuration(s.virtualTimeNs) },
        { label: "events", value: formatCount(s.events) },
        { label: "stopped because", value: s.stopReason },
      ],
    },
    sections: [
      throughputSection(s),
      latencySection(s),
      checksSection(s),
      ...present(lostMessagesSection(s)),
      availabilitySection(s),
      { id: "charts", title: "Charts", blocks: [{ kind: "charts" }] },
      networkSection(s),
      diskSection(s),
      faultSection(s),
      ...present(clusterEventsSection(s)),
      { id: "replay", title: "Replay", blocks: [{ kind: "code", text: s.replay ?? replayCommand(s.scenario, s.seed) }] },
      marksSection(s),
    ],
  };
}
