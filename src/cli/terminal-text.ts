/**
 * Text from a scenario (a description, a swept value, a file name) must not
 * drive the terminal it is printed on: ESC and the other C0/C1 controls
 * (ANSI colours, OSC 8 links and window titles, cursor moves, a CSI as
 * U+009B) and the bidirectional overrides that make text read other than it
 * is are shown as visible escapes instead. Newlines and tabs stay.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(CONTROL, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * Makes every write to `stream` terminal-safe. For stdout, which carries
 * only mqsim's own results; progress bars, which move the cursor on
 * purpose, write to stderr.
 */
export function guardStream(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]): boolean => write(typeof chunk === "string" ? terminalSafe(chunk) : chunk, ...rest)) as typeof stream.write;
}
