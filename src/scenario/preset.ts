/**
 * A built-in scenario, runnable by name (`mqsim run k3`, `mqsim list`): an
 * ordinary scenario document with the claim it shows, what its run must
 * conclude and, for a safe preset, the kinds of fault it is safe *against*.
 *
 * "Safe" is never unqualified: each system's presets say which kinds of
 * fault they lose nothing acknowledged under, and why not the others.
 * `mqsim check` searches those kinds by default, `mqsim list` and the
 * description say them, and presets-safety.property.test.ts searches each
 * claim. Each system lists its presets and claims in its folder
 * (presets.ts); src/scenario/presets.ts gathers them through the registry.
 */
import { parse as parseYaml } from "yaml";
import { describeKinds, FAULT_KINDS, type FaultKind } from "../faults/fault-kinds.js";
import type { Verdict } from "../report/run-summary.js";

export interface Preset {
  name: string;
  /** The claim or anomaly it shows (C8, K3, …). */
  claim: string;
  title: string;
  /** The scenario document (what a YAML file would hold). */
  document: Record<string, unknown>;
  /** What a run must conclude: the unsafe settings fail a check, the safe ones pass. */
  expect: Verdict;
  /**
   * For a safe preset: the kinds of fault it is safe against (what `mqsim
   * check` searches by default), each checked by a search in
   * presets-safety.property.test.ts.
   */
  survives?: readonly FaultKind[];
  /** Why it is not safe against the other kinds, in a phrase. */
  notSafeAgainst?: string;
}

/** A preset as the YAML a user would write. */
export interface PresetDocument {
  name: string;
  claim: string;
  title: string;
  expect: Verdict;
  yaml: string;
}

export interface SafetyClaim {
  survives: readonly FaultKind[];
  /** Why not the other kinds, in a phrase (absent when it survives them all). */
  notSafeAgainst?: string;
}

export const presetFromYaml = ({ yaml, ...preset }: PresetDocument): Preset => ({ ...preset, document: parseYaml(yaml) as Record<string, unknown> });

/** A safe preset with what it claims to survive: in its fields, and said in its description (what `mqsim show` prints). */
export function withClaim(preset: Preset, claims: Readonly<Record<string, SafetyClaim>>): Preset {
  const claim = claims[preset.name];
  if (claim === undefined) return preset;
  const missing = FAULT_KINDS.filter((kind) => !claim.survives.includes(kind));
  const said = `Safe against ${describeKinds(claim.survives)}${missing.length === 0 ? "." : `; not against ${describeKinds(missing)}: ${claim.notSafeAgainst ?? ""}.`}`;
  const description = typeof preset.document["description"] === "string" ? `${preset.document["description"]} ${said}` : said;
  return { ...preset, survives: claim.survives, ...(claim.notSafeAgainst === undefined ? {} : { notSafeAgainst: claim.notSafeAgainst }), document: { ...preset.document, description } };
}
