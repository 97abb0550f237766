import { describe, expect, it } from 'vitest';
import { extractSection, replaceSection } from '../bench/markdown-section.js';

/** BENCHMARKS.md is written by two benchmarks: each replaces its own section and keeps the other's. */
const DOC = '# Benchmarks\n\nIntro.\n\n## 1. Fan-out\n\nFigures.\n\n## Start time\n\nOld.\n\n## Running it\n\nnpm run bench\n';

describe('BENCHMARKS.md sections', () => {
  it('reads one section up to the next heading', () => {
    expect(extractSection(DOC, '## Start time')).toBe('## Start time\n\nOld.\n\n');
    expect(extractSection(DOC, '## Running it')).toBe('## Running it\n\nnpm run bench\n');
    expect(extractSection(DOC, '## Missing')).toBeUndefined();
  });

  it('replaces the section in place and leaves the rest as it was', () => {
    const updated = replaceSection(DOC, '## Start time', '## Start time\n\nNew $& text.\n\n', '## Running it');
    expect(updated).toBe(DOC.split('Old.').join('New $& text.'));
  });

  it('inserts a missing section before the given heading, or appends it', () => {
    const without = DOC.replace('## Start time\n\nOld.\n\n', '');
    expect(replaceSection(without, '## Start time', '## Start time\n\nNew.\n\n', '## Running it')).toBe(DOC.replace('Old.', 'New.'));
    expect(replaceSection('# B\n\nText.\n', '## Start time', '## Start time\n\nNew.\n', '## Running it')).toBe('# B\n\nText.\n\n## Start time\n\nNew.\n');
  });
});
