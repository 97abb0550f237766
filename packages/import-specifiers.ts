/**
 * The module specifiers a JavaScript or declaration file imports: static `import`/`export ... from`,
 * side-effect `import 'x'`, and `import('x')` (declaration files name types that way). Comments are
 * skipped, so the examples in JSDoc do not count; strings and template literals are read past
 * whole, so a `//` or `/*` inside one is not a comment.
 *
 * Why not the compiler: TypeScript 7 has no compiler API, and the emitted files are regular enough
 * (tsc's own output) for a scanner that knows comments from strings.
 *
 * @example
 * importSpecifiers("import { a } from 'pkg'; /* import 'no' *\/ export * from './b.js';"); // ['pkg', './b.js']
 */
export function importSpecifiers(text: string): string[] {
  const code = withoutComments(text);
  const specifiers: string[] = [];
  const patterns = [/\b(?:import|export)\b[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1/g, /\bimport\s*(['"])([^'"\n]+)\1/g, /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) specifiers.push(match[2] as string);
  }
  return [...new Set(specifiers)];
}

/** `text` with every comment replaced by a space; strings and template literals kept as they are. */
function withoutComments(text: string): string {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    const next = text[index + 1];
    if (char === '/' && next === '/') {
      const end = text.indexOf('\n', index);
      index = end === -1 ? text.length : end;
      out += ' ';
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 2;
      out += ' ';
    } else if (char === "'" || char === '"' || char === '`') {
      const end = stringEnd(text, index, char);
      out += text.slice(index, end);
      index = end;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/** The index just past the string or template literal that opens at `start` with `quote`. */
function stringEnd(text: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === quote || (char === '\n' && quote !== '`')) return index + 1;
    else index += 1;
  }
  return text.length;
}
