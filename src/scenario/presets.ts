/**
 * The built-in scenarios of every registered system, in the registry's
 * order: the seed tour's claims (../shared/mission.md), the anomaly tables'
 * rows with their safe counterparts. Each system lists its own in its
 * folder (presets.ts); what a preset is: preset.ts.
 */
import { SYSTEMS } from "../systems/index.js";
import type { Preset } from "./preset.js";

export type { Preset } from "./preset.js";

export const PRESETS: readonly Preset[] = SYSTEMS.flatMap((system) => system.presets);

export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((preset) => preset.name === name);
}
