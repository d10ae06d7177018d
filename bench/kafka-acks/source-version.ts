/** Which source the report was generated from: the commit, and whether src/ has uncommitted changes. */
import { execFileSync } from "node:child_process";

export function sourceVersion(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { encoding: "utf8" }).trim() !== "";
    return `src/ at commit ${commit}${dirty ? " plus uncommitted changes" : ""}`;
  } catch {
    return "src/ at an unknown commit (git unavailable)";
  }
}
