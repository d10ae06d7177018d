/** Plain-text rendering of a world demo run for the terminal. */
import type { WorldDemoResult } from "../demo/world-demo.js";

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: string[]): string => `  ${row.map((cell, column) => cell.padEnd(widths[column]!)).join("  ")}\n`;
  return line(header) + line(widths.map((width) => "-".repeat(width))) + rows.map(line).join("");
}

export function renderWorldDemo(result: WorldDemoResult, wallMs: number, flags: { seed: number; nodes: number; duration: number; faults: boolean; disk: string }): string {
  const simulatedSec = result.timeNs / 1e9;
  const perClass = new Map<string, number>();
  for (const link of result.links) perClass.set(link.trafficClass, (perClass.get(link.trafficClass) ?? 0) + link.bytes);
  const perNodeTx = new Map<string, number>();
  for (const link of result.links) perNodeTx.set(link.from, (perNodeTx.get(link.from) ?? 0) + link.bytes);
  let out = "";
  out += "mqsim world demo — kernel, network, disks and faults (no message queue yet)\n\n";
  out += `seed ${result.seed}   nodes ${flags.nodes}   virtual time ${simulatedSec.toFixed(1)} s   disk ${flags.disk}   faults ${flags.faults ? "on" : "off"}\n`;
  out += `result: ${result.stopReason} after ${result.events.toLocaleString("en-US")} events, ${result.traceRecords.toLocaleString("en-US")} trace records\n`;
  out += `trace digest ${result.digest}\n`;
  out += `wall time ${(wallMs / 1000).toFixed(2)} s (${(simulatedSec / (wallMs / 1000)).toFixed(0)} simulated s per wall s)\n\n`;
  out += "traffic\n";
  out += table(
    ["messages sent", "delivered", "acks", "datagrams", "packets dropped", "records recovered"],
    [[String(result.messagesSent), String(result.messagesDelivered), String(result.acksReceived), String(result.datagramsDelivered), String(result.droppedPackets), String(result.recoveredRecords)]],
  );
  out += "\nbytes on the wire per class\n";
  out += table(["class", "bytes"], [...perClass.entries()].map(([name, bytes]) => [name, mib(bytes)]));
  out += "\nbytes sent per node\n";
  out += table(["node", "tx"], [...perNodeTx.entries()].map(([name, bytes]) => [name, mib(bytes)]));
  out += "\ndisks\n";
  out += table(
    ["node", "appended", "fsyncs", "lost at power loss"],
    result.disks.map((disk) => [disk.node, mib(disk.bytesAppended), String(disk.fsyncs), mib(disk.bytesLostAtPowerLoss)]),
  );
  out += "\nfault schedule\n";
  for (const fault of result.faults) out += `  ${fault}\n`;
  out += "\ncoverage marks\n";
  for (const [name, count] of result.marks) out += `  ${name.padEnd(32)} ${count}\n`;
  out += `\nreplay: mqsim demo --seed ${result.seed} --nodes ${flags.nodes} --duration ${flags.duration / 1e9}s${flags.faults ? "" : " --no-faults"} --disk ${flags.disk}\n`;
  return out;
}
