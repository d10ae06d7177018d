/**
 * The command that replays a run, as reports print it. Scenario names and
 * seeds come from users, so each is quoted as one shell word: pasting the
 * line runs exactly that scenario, never a second command.
 */
import { shellQuote } from "./escape.js";

export function replayCommand(scenario: string, seed: string): string {
  return `npx mqsim replay ${shellQuote(scenario)} --seed ${shellQuote(seed)}`;
}
