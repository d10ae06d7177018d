/**
 * A list of systems and the lookup by the scenario's `system` field. The
 * one list the product uses is src/systems/index.ts; tests build others
 * (src/systems/plug-in.test.ts registers a test-only system the same way).
 */
import type { SystemModel, SystemRunResult, SystemRunSpec } from "./system.js";

// Each system's model is typed by its own scenario, spec and result.
export type AnySystemModel = SystemModel<any, any, any>;

export interface Registry<Systems extends readonly AnySystemModel[]> {
  readonly systems: Systems;
  systemNamed(name: string): SystemModel<unknown, SystemRunSpec, SystemRunResult>;
}

export function registryOf<Systems extends readonly AnySystemModel[]>(systems: Systems): Registry<Systems> {
  const names = systems.map((system) => system.name);
  if (new Set(names).size !== names.length) throw new Error(`a system is listed twice: ${names.join(", ")}`);
  return {
    systems,
    systemNamed: (name) => {
      const system = systems.find((candidate) => candidate.name === name);
      if (system === undefined) throw new Error(`no system named ${JSON.stringify(name)} (known: ${names.join(", ")})`);
      return system as SystemModel<unknown, SystemRunSpec, SystemRunResult>;
    },
  };
}
