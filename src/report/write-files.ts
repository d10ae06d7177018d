/**
 * Writes a report's files so that a failure leaves no mix of old and new
 * output: every file goes to a ".partial" name first, and only when all of
 * them are written are they renamed into place. Callers render everything in
 * memory before calling this, so a rendering error writes nothing at all.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

export interface OutputFile {
  /** A plain file name inside the output directory. */
  name: string;
  content: string;
}

/** Writes every file into `dir` (created if missing); returns the written paths in the given order. */
export async function writeFilesTogether(dir: string, files: readonly OutputFile[]): Promise<string[]> {
  for (const file of files) {
    if (!/^[A-Za-z0-9._-]+$/.test(file.name) || file.name.startsWith(".")) {
      throw new Error(`report file name must be a plain file name, got ${JSON.stringify(file.name)}`);
    }
  }
  await mkdir(dir, { recursive: true });
  const partials = files.map((file) => join(dir, `${file.name}.partial`));
  try {
    for (const [k, file] of files.entries()) await writeFile(partials[k]!, file.content, "utf8");
  } catch (error) {
    await Promise.all(partials.map((path) => rm(path, { force: true })));
    throw error;
  }
  const finals = files.map((file) => join(dir, file.name));
  for (const [k, path] of finals.entries()) await rename(partials[k]!, path);
  return finals;
}
