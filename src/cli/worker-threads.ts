/**
 * How many worker threads a command may start: what --workers asks, but no
 * more than the machine's cores unless --oversubscribe says so (64 threads
 * on 2 cores only add contention and memory). A cap is said on stderr.
 */
import { availableParallelism } from "node:os";

export function threadsFor(asked: number, flags: { oversubscribe?: boolean }, cores = availableParallelism()): { threads: number; note: string | null } {
  const available = Math.max(1, cores);
  if (asked <= available || flags.oversubscribe === true) return { threads: asked, note: null };
  return { threads: available, note: `--workers ${asked}: this machine has ${available} core${available === 1 ? "" : "s"}, so ${available} thread${available === 1 ? "" : "s"} run them (--oversubscribe to start ${asked})` };
}
