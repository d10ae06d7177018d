/**
 * Blanks comments and literal contents out of TypeScript source so the tidy
 * rules match only code. A full parser would be exact but heavy; this scanner
 * knows just enough (strings, templates with nested `${}`, regex literals,
 * comments) for the rules' purposes, and it never shifts an offset or drops a
 * newline, so reported line numbers match the original file.
 */

/** Words after which a `/` starts a regex literal rather than a division. */
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

/** What the scanner knows between tokens. */
interface ScanState {
  readonly text: string;
  readonly out: string[];
  /** Brace depth at which each open `${` returns to its template. */
  readonly templateResume: number[];
  braceDepth: number;
  /** Whether the previous token ends an operand, which makes a following `/` a division. */
  afterOperand: boolean;
}

/**
 * Returns `text` with comments and literal contents replaced by spaces. String
 * quotes and template backticks are kept (import extraction looks for them),
 * newlines are kept everywhere, and `${...}` expressions inside templates stay
 * visible because they are code.
 */
export function stripCommentsAndLiterals(text: string): string {
  const state: ScanState = { text, out: text.split(""), templateResume: [], braceDepth: 0, afterOperand: false };
  const { out } = state;
  const n = text.length;
  const blank = (from: number, to: number): void => blankOut(state, from, to);
  const scanTemplateChunk = (start: number): number => scanTemplateText(state, start);

  let i = 0;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === "/" && next === "/") {
      const end = text.indexOf("\n", i);
      blank(i, end === -1 ? n : end);
      i = end === -1 ? n : end;
    } else if (c === "/" && next === "*") {
      const close = text.indexOf("*/", i + 2);
      const end = close === -1 ? n : close + 2;
      blank(i, end);
      i = end;
    } else if (c === "'" || c === '"') {
      const j = closingQuote(text, i);
      blank(i + 1, j);
      state.afterOperand = true;
      i = j + 1;
    } else if (c === "`") {
      i = scanTemplateChunk(i + 1);
    } else if (c === "/" && !state.afterOperand) {
      const j = closingRegexSlash(text, i);
      blank(i + 1, j);
      i = j + 1;
      while (i < n && /[a-z]/.test(text[i]!)) i++;
      state.afterOperand = true;
    } else if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      state.afterOperand = !KEYWORDS_BEFORE_EXPRESSION.has(text.slice(i, j));
      i = j;
    } else {
      if (c === "{") state.braceDepth++;
      if (c === "}") {
        state.braceDepth--;
        if (state.templateResume.length > 0 && state.templateResume[state.templateResume.length - 1] === state.braceDepth) {
          state.templateResume.pop();
          i = scanTemplateChunk(i + 1);
          continue;
        }
      }
      // `}` usually closes a block, after which a `/` starts a statement-level regex.
      if (!/\s/.test(c)) state.afterOperand = c === ")" || c === "]";
      i++;
    }
  }
  return out.join("");
}

/** Where the string literal opening at `start` closes (its line's end when it never does). */
function closingQuote(text: string, start: number): number {
  const quote = text[start];
  let j = start + 1;
  while (j < text.length && text[j] !== quote && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
  return j;
}

/** Where the regex literal opening at `start` closes: `/` inside a character class does not end it. */
function closingRegexSlash(text: string, start: number): number {
  let j = start + 1;
  let inClass = false;
  while (j < text.length && text[j] !== "\n") {
    const r = text[j];
    if (r === "\\") j++;
    else if (inClass) inClass = r !== "]";
    else if (r === "[") inClass = true;
    else if (r === "/") break;
    j++;
  }
  return j;
}

function blankOut(state: ScanState, from: number, to: number): void {
  for (let k = from; k < to && k < state.out.length; k++) if (state.out[k] !== "\n") state.out[k] = " ";
}

/** Scans template text from `start` up to a closing backtick or `${`; returns the next index. */
function scanTemplateText(state: ScanState, start: number): number {
  const { text } = state;
  let j = start;
  while (j < text.length) {
    const c = text[j];
    if (c === "\\") j += 2;
    else if (c === "`") {
      blankOut(state, start, j);
      state.afterOperand = true;
      return j + 1;
    } else if (c === "$" && text[j + 1] === "{") {
      blankOut(state, start, j);
      state.templateResume.push(state.braceDepth);
      state.braceDepth++;
      state.afterOperand = false;
      return j + 2;
    } else j++;
  }
  blankOut(state, start, text.length);
  return text.length;
}
