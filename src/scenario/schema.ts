/**
 * The scenario file: what a user writes (YAML or JSON) to describe a cluster,
 * its configuration in the system's own names, the workload, the faults and
 * the checks. Validated with zod before anything runs: strict objects (an
 * unknown key is an error, so a typo never passes silently), values with
 * units as strings ("10ms", "1KiB", "10Gbps", "5k/s"), ranges that keep a
 * run finite, and each system's cross-field rules (replication factor ≤
 * brokers, faults name existing nodes, consumers subscribe to existing
 * topics).
 *
 * `system` is the discriminator: each registered system (src/systems/index.ts)
 * brings its own branch in its own config names (its scenario-schema.ts);
 * the pieces they share (units, faults, machines, budgets, sweeps) are in
 * schema-parts.ts.
 */
import { z } from "zod";
import { SYSTEMS } from "../systems/index.js";

export { bandwidthSchema, durationSchema, rateSchema, sizeSchema } from "./schema-parts.js";

/** Each system's branch, in the registry's order, typed one by one (a mapped tuple: generic, so it stays a tuple) so a scenario's type is the union of theirs. */
type BranchesOf<Systems extends readonly unknown[]> = { -readonly [K in keyof Systems]: Systems[K] extends { scenarioSchema: infer Schema } ? Schema : never };

const branches = SYSTEMS.map((system) => system.scenarioSchema) as unknown as BranchesOf<typeof SYSTEMS>;
const systemList = SYSTEMS.map((system) => JSON.stringify(system.name)).join(" or ");

export const scenarioSchema = z.discriminatedUnion("system", branches, { error: `expected system: ${systemList} (the systems modelled so far)` });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** The keys a system's scenario must have (no default), in the schema's order. */
function requiredKeys(shape: Readonly<Record<string, z.ZodType>>): string[] {
  return Object.keys(shape).filter((key) => !shape[key]!.safeParse(undefined).success);
}

/**
 * What a scenario document must have at least, said once for every system:
 * the keys every system requires, then each system's own, with its name.
 */
export function describeRequiredKeys(): string {
  const keysOf = SYSTEMS.map((system) => ({ name: system.displayName, keys: requiredKeys(system.scenarioSchema.shape) }));
  const shared = keysOf[0]!.keys.filter((key) => keysOf.every((system) => system.keys.includes(key)));
  const quote = (keys: readonly string[]): string => keys.map((key) => `\`${key}\``).join(", ");
  const own = keysOf.map((system) => `${quote(system.keys.filter((key) => !shared.includes(key)))} (${system.name})`).join(" or ");
  return `${quote(shared)} and ${own}`;
}
