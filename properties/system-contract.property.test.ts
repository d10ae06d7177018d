/** Every registered system keeps the contract of system-contract.ts. */
import { describe, it } from "vitest";
import { SYSTEMS } from "../src/systems/index.js";
import { runsScaled } from "./fast-check-setup.js";
import { checkSystemContract } from "./system-contract.js";

describe("the system contract", () => {
  it.each(SYSTEMS.map((system) => [system.name, system] as const))("%s: its smallest preset under generated faults replays to one digest, with well-formed verdicts and facts", (_, system) => {
    checkSystemContract(system, runsScaled(4));
  }, 120_000);
});
