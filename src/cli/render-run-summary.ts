/**
 * A run's summary as the terminal shows it: one screen with the verdict,
 * throughput, latency percentiles, bytes on the wire per traffic class and
 * node, disk traffic, the checks (first bad event of each failure),
 * unavailability and liveness, and the replay command.
 */
import type { LatencySummary, RunSummary } from "../report/run-summary.js";
import { formatBytes, formatBytesPerSec, formatDuration } from "../report/format.js";
import { replayCommand } from "../report/replay-command.js";


function latencyLine(label: string, latency: LatencySummary | null): string {
  if (latency === null || latency.count === 0) return `  ${label.padEnd(22)} -`;
  return `  ${label.padEnd(22)} p50 ${formatDuration(latency.p50Ns)}   p99 ${formatDuration(latency.p99Ns)}   p99.9 ${formatDuration(latency.p999Ns)}   max ${formatDuration(latency.maxNs)}`;
}

function verdictText(summary: RunSummary): string {
  return summary.verdict === "ok" ? "OK: every check held and the cluster converged" : summary.verdict === "safety-failed" ? "SAFETY FAILED" : "LIVENESS FAILED: the cluster did not converge in time";
}

/** --quiet: the verdict, each failed check, and the replay command. */
export function renderRunVerdict(summary: RunSummary, source: string): string {
  const lines = [`verdict: ${verdictText(summary)}`];
  for (const check of summary.checks) if (!check.ok) lines.push(`  FAIL ${check.line}`);
  lines.push(`replay: ${summary.replay ?? replayCommand(source, summary.seed)}`);
  return `${lines.join("\n")}\n`;
}

export function renderRunSummary(summary: RunSummary, source: string, wallMs: number): string {
  const lines: string[] = [];
  const verdict = verdictText(summary);
  lines.push(`scenario ${summary.scenario} (${summary.system}), seed ${summary.seed}, digest ${summary.digest}`);
  lines.push(`${(summary.virtualTimeNs / 1e9).toFixed(1)} s of virtual time, ${summary.events.toLocaleString("en-US")} events, ${(wallMs / 1000).toFixed(2)} s of wall time (stop: ${summary.stopReason})`);
  lines.push("");
  lines.push(`verdict: ${verdict}`);
  lines.push("");
  const m = summary.messages;
  lines.push(`messages     sent ${m.sent}   acknowledged ${m.acked}   failed ${m.failed}   unknown ${m.unknown}   applied by consumers ${m.applied}`);
  lines.push(`throughput   ${summary.throughput.ackedPerSec.toFixed(0)} msg/s acknowledged, ${formatBytesPerSec(summary.throughput.ackedBytesPerSec)}`);
  lines.push("latency");
  lines.push(latencyLine("produce (send → ack)", summary.latency.produce));
  lines.push(latencyLine("end to end (→ applied)", summary.latency.endToEnd));
  if (summary.latency.request !== undefined && summary.latency.request !== null) lines.push(latencyLine("user request", summary.latency.request));
  lines.push("bytes on the wire");
  for (const entry of summary.traffic.byClass) lines.push(`  ${entry.trafficClass.padEnd(22)} ${formatBytes(entry.bytes)}`);
  const inter = summary.interNode;
  if (inter !== undefined && inter.bytes > 0) {
    const replication = inter.replicationBytes === undefined ? "" : `; replication ${formatBytes(inter.replicationBytes)}, ${(inter.replicationPerAckedByte ?? 0).toFixed(2)} per byte`;
    lines.push(`  ${"between nodes".padEnd(22)} ${formatBytes(inter.bytes)}, ${inter.perAckedByte.toFixed(2)} per acknowledged payload byte${replication}`);
  }
  for (const node of summary.traffic.byNode) if (node.sentBytes + node.receivedBytes > 0) lines.push(`  ${node.node.padEnd(22)} sent ${formatBytes(node.sentBytes)}, received ${formatBytes(node.receivedBytes)}`);
  lines.push("disks");
  for (const disk of summary.disks) {
    const lost = disk.lostAtPowerLossBytes > 0 ? `, ${formatBytes(disk.lostAtPowerLossBytes)} lost at power loss` : "";
    lines.push(`  ${disk.node.padEnd(22)} ${formatBytesPerSec(disk.writeBytesPerSec)} written, ${disk.fsyncs} fsyncs${lost}`);
  }
  lines.push("checks");
  for (const check of summary.checks) {
    lines.push(`  ${check.ok ? "ok  " : "FAIL"} ${check.line}`);
    if (!check.ok && check.first !== undefined) lines.push(`       first visible at ${(check.first.timeNs / 1e9).toFixed(3)} s (event #${check.first.eventIndex}): ${check.first.message}`);
  }
  const { unavailability } = summary;
  const worst = unavailability.worstStream === null ? "" : ` (worst ${unavailability.worstStream.stream} ${unavailability.worstStream.seconds.toFixed(3)} s)`;
  lines.push(`unavailable  writes ${unavailability.sendSeconds.toFixed(3)} s${worst}, of which refused ${unavailability.sendRefusedSeconds.toFixed(3)} s; client error windows: sends ${unavailability.sendErrorSeconds.toFixed(3)} s, fetches ${unavailability.receiveSeconds.toFixed(3)} s`);
  lines.push(`liveness     ${summary.liveness.isConverged ? `converged at ${(summary.liveness.convergedAtNs / 1e9).toFixed(1)} s` : `not converged: ${summary.liveness.reasons.slice(0, 3).join("; ")}`}`);
  if (summary.faults.length > 0) {
    lines.push("faults");
    for (const fault of summary.faults) lines.push(`  ${fault.line}`);
  }
  lines.push("");
  lines.push(`replay: ${summary.replay ?? replayCommand(source, summary.seed)}`);
  return `${lines.join("\n")}\n`;
}
