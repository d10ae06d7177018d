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

/**
 * Returns `text` with comments and literal contents replaced by spaces. String
 * quotes and template backticks are kept (import extraction looks for them),
 * newlines are kept everywhere, and `${...}` expressions inside templates stay
 * visible because they are code.
 */
export function stripCommentsAndLiterals(text: string): string {
  const out = text.split("");
  const n = text.length;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== "\n") out[k] = " ";
  };
  // Brace depth at which each open `${` returns to its template.
  const templateResume: number[] = [];
  let braceDepth = 0;
  // Whether the previous token ends an operand, which makes a following `/` a division.
  let afterOperand = false;

  // Scans template text from `start` up to a closing backtick or `${`; returns the next index.
  const scanTemplateChunk = (start: number): number => {
    let j = start;
    while (j < n) {
      const c = text[j];
      if (c === "\\") j += 2;
      else if (c === "`") {
        blank(start, j);
        afterOperand = true;
        return j + 1;
      } else if (c === "$" && text[j + 1] === "{") {
        blank(start, j);
        templateResume.push(braceDepth);
        braceDepth++;
        afterOperand = false;
        return j + 2;
      } else j++;
    }
    blank(start, n);
    return n;
  };

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
      let j = i + 1;
      while (j < n && text[j] !== c && text[j] !== "\n") j += text[j] === "\\" ? 2 : 1;
      blank(i + 1, j);
      afterOperand = true;
      i = j + 1;
    } else if (c === "`") {
      i = scanTemplateChunk(i + 1);
    } else if (c === "/" && !afterOperand) {
      // Regex literal: `/` inside a character class does not end it.
      let j = i + 1;
      let inClass = false;
      while (j < n && text[j] !== "\n") {
        const r = text[j];
        if (r === "\\") j++;
        else if (inClass) inClass = r !== "]";
        else if (r === "[") inClass = true;
        else if (r === "/") break;
        j++;
      }
      blank(i + 1, j);
      i = j + 1;
      while (i < n && /[a-z]/.test(text[i]!)) i++;
      afterOperand = true;
    } else if (/[\w$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(text[j]!)) j++;
      afterOperand = !KEYWORDS_BEFORE_EXPRESSION.has(text.slice(i, j));
      i = j;
    } else {
      if (c === "{") braceDepth++;
      if (c === "}") {
        braceDepth--;
        if (templateResume.length > 0 && templateResume[templateResume.length - 1] === braceDepth) {
          templateResume.pop();
          i = scanTemplateChunk(i + 1);
          continue;
        }
      }
      // `}` usually closes a block, after which a `/` starts a statement-level regex.
      if (!/\s/.test(c)) afterOperand = c === ")" || c === "]";
      i++;
    }
  }
  return out.join("");
}
