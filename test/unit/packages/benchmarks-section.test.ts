import { describe, expect, it } from 'vitest';
import { insertSection, SECTION_END, SECTION_START, withPackageSizes } from '../../../packages/benchmarks-section.js';

const section = (body: string): string => `${SECTION_START}\n## Package sizes\n${body}\n${SECTION_END}`;
const rendered = '# Benchmarks\n\n| table |\n\n## Running it\n\nnpm run bench\n';

describe('the package sizes section of BENCHMARKS.md', () => {
  it('survives a bench run that rewrites the file, placed before "Running it"', () => {
    const previous = insertSection('# Benchmarks\n\nold table\n\n## Running it\n', section('sizes'));
    const next = withPackageSizes(rendered, previous);
    expect(next).toContain(section('sizes'));
    expect(next).toContain('| table |');
    expect(next.indexOf(SECTION_START)).toBeLessThan(next.indexOf('## Running it'));
  });

  it('is replaced in place, not duplicated, when measured again', () => {
    const once = insertSection(rendered, section('first'));
    const twice = insertSection(once, section('second'));
    expect(twice).toContain(section('second'));
    expect(twice).not.toContain('first');
    expect(twice.split(SECTION_START)).toHaveLength(2);
  });

  it('leaves a generated file alone when there was no section before', () => {
    expect(withPackageSizes(rendered, '# Benchmarks\n')).toBe(rendered);
  });
});
