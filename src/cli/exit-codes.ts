/** The mqsim command's exit codes, as the README documents them. */
export const EXIT_OK = 0;
/** A safety check failed (a counterexample was found). */
export const EXIT_SAFETY_FAILED = 1;
/** Bad input: a flag, a scenario file, an unknown preset. */
export const EXIT_BAD_INPUT = 2;
/** The run was safe but did not converge within its bound. */
export const EXIT_LIVENESS_FAILED = 3;
/** Interrupted (SIGINT) before finishing; what finished is saved (a sweep resumes from it). 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;
/** The reader of the output went away (| head): 128 + SIGPIPE, as shells report a writer killed by it. */
export const EXIT_PIPE_CLOSED = 141;
/** An internal assertion failed: a simulator bug. */
export const EXIT_SIMULATOR_BUG = 70;

export function exitCodeOfVerdict(verdict: "ok" | "safety-failed" | "liveness-failed"): number {
  return verdict === "ok" ? EXIT_OK : verdict === "safety-failed" ? EXIT_SAFETY_FAILED : EXIT_LIVENESS_FAILED;
}
