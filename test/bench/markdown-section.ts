/**
 * One `## ` section of a Markdown file (BENCHMARKS.md): read it, or put it in place, so that a
 * benchmark writing one section leaves the others as they are, and `npm run bench` regenerating the
 * rest keeps the sections it does not write.
 */

/** The section that starts with `heading` (a `## ` line), up to the next `## ` line; `undefined` if absent. */
export function extractSection(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) return undefined;
  const next = markdown.indexOf('\n## ', start + heading.length + 2);
  return markdown.slice(start + 1, next === -1 ? undefined : next + 1);
}

/**
 * `markdown` with the section under `heading` replaced by `section`, or, when it has none, with
 * `section` inserted before the `before` heading (at the end when that is absent too).
 *
 * @example
 * replaceSection(text, '## Start time', '## Start time\n\n...\n\n', '## Running it');
 */
export function replaceSection(markdown: string, heading: string, section: string, before: string): string {
  const current = extractSection(markdown, heading);
  if (current !== undefined) return markdown.replace(current, () => section);
  const at = markdown.indexOf(`\n${before}\n`);
  if (at === -1) return `${markdown.replace(/\n*$/, '\n\n')}${section}`;
  return `${markdown.slice(0, at + 1)}${section}${markdown.slice(at + 1)}`;
}
