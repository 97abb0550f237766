/**
 * The "Package sizes" section of BENCHMARKS.md, between two markers: `npm run sizes:packages`
 * writes it, and `npm run bench`, which regenerates the rest of the file, carries it over.
 */
/** The markers around the section in BENCHMARKS.md. */
export const SECTION_START = '<!-- package-sizes:start (npm run sizes:packages) -->';
export const SECTION_END = '<!-- package-sizes:end -->';

/**
 * `rendered` (a freshly generated BENCHMARKS.md) with the package sizes section of `previous`
 * put back before "## Running it" (or at the end), so the two generators do not erase each other.
 *
 * @example
 * writeFileSync('BENCHMARKS.md', withPackageSizes(renderMarkdown(results), readFileSync('BENCHMARKS.md', 'utf8')));
 */
export function withPackageSizes(rendered: string, previous: string): string {
  const start = previous.indexOf(SECTION_START);
  const end = previous.indexOf(SECTION_END);
  if (start === -1 || end === -1 || rendered.includes(SECTION_START)) return rendered;
  return insertSection(rendered, previous.slice(start, end + SECTION_END.length));
}

/** `text` with `section` in place of its package sizes section, or added before "## Running it". */
export function insertSection(text: string, section: string): string {
  const start = text.indexOf(SECTION_START);
  const end = text.indexOf(SECTION_END);
  if (start !== -1 && end !== -1) return text.slice(0, start) + section + text.slice(end + SECTION_END.length);
  const anchor = text.indexOf('\n## Running it');
  if (anchor === -1) return `${text.trimEnd()}\n\n${section}\n`;
  return `${text.slice(0, anchor)}\n${section}\n${text.slice(anchor)}`;
}
