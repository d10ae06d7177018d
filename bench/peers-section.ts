/**
 * bench-kernel.md has two writers: `npm run bench` (the kernel's own figures)
 * and `npm run bench:peers` (the comparison with SimPy and ns-3, which needs
 * packages most machines lack). The peers' section sits between two marker
 * comments; each writer replaces only its own part and keeps the other's.
 */
export const PEERS_BEGIN = "<!-- bench:peers -->";
export const PEERS_END = "<!-- /bench:peers -->";

/** The peers' section of a bench-kernel.md (markers included, with its newline), or "" when it has none. */
export function peersSectionOf(markdown: string): string {
  const begin = markdown.indexOf(PEERS_BEGIN);
  const end = markdown.indexOf(PEERS_END);
  if (begin < 0 || end < begin) return "";
  return `${markdown.slice(begin, end + PEERS_END.length)}\n`;
}

/** `markdown` with its peers' section replaced by `section` (or `section` appended). */
export function withPeersSection(markdown: string, section: string): string {
  const current = peersSectionOf(markdown);
  const rest = current === "" ? markdown : markdown.replace(current, "");
  return `${rest.trimEnd()}\n\n${section}`;
}
