/**
 * Test support (not built into dist): runs `mqsim …` as a user does, in a
 * separate Node process from the project root, and returns its exit code and
 * output. A non-zero exit is a result; a kill by timeout or signal is a test
 * failure and throws.
 */
import { execFile, type ExecFileException } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const execFileAsync = promisify(execFile);

export interface MqsimRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runMqsim(args: readonly string[], timeoutMs: number): Promise<MqsimRun> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { cwd: PROJECT_ROOT, timeout: timeoutMs, encoding: "utf8" });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as ExecFileException & { stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}
