/** Formatting helpers for the acks report: numbers, durations, fault schedules. */
import type { FaultSchedule } from "../../src/faults/fault.js";
import type { Acks } from "../../src/systems/kafka/config.js";
import { MS, SCAN_STEP_NS, SECOND, US } from "./scenarios.js";

export const fmtInt = (value: number): string => Math.round(value).toLocaleString("en-US");
export const fmtMs = (ns: number): string => (ns / MS).toFixed(3);
export const fmtSec = (ns: number): string => (ns / SECOND).toFixed(2);
export const acksName = (acks: Acks): string => `acks=${acks}`;
export const lostOf = (r: { lost: number; unseen: number }): string => fmtInt(r.lost + r.unseen);

export function describeFaults(faults: FaultSchedule): string {
  return faults
    .map((fault) => {
      const at = `${(fault.atNs / SECOND).toFixed(6).replace(/0+$/, "").replace(/\.$/, "")} s`;
      if (fault.verb === "partition") {
        const spec = fault.spec;
        const detail = spec.kind === "one-way" ? ` ${spec.from.join(",")} -> ${spec.to.join(",")} (${(spec.classes ?? ["all"]).join(",")})` : "";
        return `${at} partition ${fault.name ?? ""}${detail}`;
      }
      if (fault.verb === "heal") return `${at} heal ${fault.name ?? "all"}`;
      return `${at} ${fault.verb}${"node" in fault ? ` ${fault.node}` : ""}`;
    })
    .join("; ");
}

/** Offsets (ns) at which something was lost, as "250–290 µs, 330 µs". */
export function offsetRanges(offsetsNs: readonly number[]): string {
  if (offsetsNs.length === 0) return "none";
  const parts: string[] = [];
  let start = offsetsNs[0]!;
  let previous = start;
  const flush = (): void => void parts.push(start === previous ? `${start / US} µs` : `${start / US}–${previous / US} µs`);
  for (const offset of offsetsNs.slice(1)) {
    if (offset === previous + SCAN_STEP_NS) {
      previous = offset;
      continue;
    }
    flush();
    start = previous = offset;
  }
  flush();
  return parts.join(", ");
}
