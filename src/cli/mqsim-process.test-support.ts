/**
 * Test support (not built into dist): runs `mqsim …` as a user does, in a
 * separate Node process from the project root, and returns its exit code and
 * output. A non-zero exit is a result; a kill by timeout or signal is a test
 * failure and throws.
 */
import { execFile, type ExecFileException } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);

export interface MqsimRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `cwd` other than the project root must give Node a way to `tsx` (a node_modules link to the project's). */
export async function runMqsim(args: readonly string[], timeoutMs: number, cwd: string = PROJECT_ROOT): Promise<MqsimRun> {
  try {
    const main = join(PROJECT_ROOT, "src/cli/main.ts");
    const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx", main, ...args], { cwd, timeout: timeoutMs, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as ExecFileException & { stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
