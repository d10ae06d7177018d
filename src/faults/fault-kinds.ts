/**
 * The kinds of fault a search may draw, as a user names them (`mqsim check
 * --faults crash,partition`) and as a preset states what it is safe against:
 * each kind is the verbs that cause it and undo it.
 */
import type { FaultVerb } from "./fault.js";

export const FAULT_KINDS = ["crash", "pause", "partition", "power-loss"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** What `mqsim check` draws unless told otherwise: power loss is asked for, since Kafka and RabbitMQ 3.13+ do not fsync by default. */
export const DEFAULT_FAULT_KINDS: readonly FaultKind[] = ["crash", "pause", "partition"];

const KIND_WORDS: Record<FaultKind, string> = { crash: "process crashes", pause: "pauses", partition: "network partitions", "power-loss": "power losses" };

/**
 * The verbs of `kinds`, in one fixed order whatever order the kinds were
 * given in (a search's draws, and so its replay paths, depend on it): the
 * default kinds give exactly the verbs searches have always used, and power
 * loss comes last, with a restart when crashes are not among the kinds.
 */
export function verbsOfKinds(kinds: readonly FaultKind[]): FaultVerb[] {
  const verbs: FaultVerb[] = [];
  if (kinds.includes("crash")) verbs.push("processCrash", "restart");
  if (kinds.includes("pause")) verbs.push("pause", "resume");
  if (kinds.includes("partition")) verbs.push("partition", "heal");
  if (kinds.includes("power-loss")) verbs.push(...(kinds.includes("crash") ? [] : (["restart"] as const)), "powerLoss");
  return verbs;
}

/** "crash,partition" → the kinds, in canonical order; or why not. */
export function parseFaultKinds(text: string): { ok: true; kinds: FaultKind[] } | { ok: false; message: string } {
  const names = text.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !(FAULT_KINDS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0 || text.trim() === "") {
    return { ok: false, message: `expected fault kinds among ${FAULT_KINDS.join(", ")}, comma-separated, got ${JSON.stringify(text)}` };
  }
  return { ok: true, kinds: canonical(names as FaultKind[]) };
}

export function canonical(kinds: readonly FaultKind[]): FaultKind[] {
  return FAULT_KINDS.filter((kind) => kinds.includes(kind));
}

/** "process crashes, pauses and network partitions". */
export function describeKinds(kinds: readonly FaultKind[]): string {
  const words = canonical(kinds).map((kind) => KIND_WORDS[kind]);
  if (words.length <= 1) return words[0] ?? "nothing";
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

export function sameKinds(a: readonly FaultKind[], b: readonly FaultKind[]): boolean {
  return canonical(a).join(",") === canonical(b).join(",");
}
