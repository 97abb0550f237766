import { describe, expect, it } from 'vitest';
import { importSpecifiers } from '../../../packages/import-specifiers.js';

describe('importSpecifiers', () => {
  it('finds static, side-effect, re-export and import() specifiers', () => {
    const text = [
      "import { a } from 'pkg-a';",
      'import type {',
      '  B,',
      "} from '@scope/b/sub';",
      "import 'side-effect';",
      "export * from './local.js';",
      'export { c } from "pkg-c";',
      "export declare function f(): import('pkg-d').D;",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(['./local.js', '@scope/b/sub', 'pkg-a', 'pkg-c', 'pkg-d', 'side-effect'].sort());
  });

  it('skips imports in line and block comments (JSDoc examples)', () => {
    const text = [
      '/**',
      ' * @example',
      " * import { RealtimeClient } from 'in-a-comment';",
      ' */',
      "// import 'line-comment';",
      "import { x } from 'real';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual(['real']);
  });

  it('reads strings whole: comment markers inside them are text', () => {
    const text = ["const url = 'http://example.com/*';", "import { y } from 'after-the-string';", "const s = `a // b ${'c'}`;"].join('\n');
    expect(importSpecifiers(text)).toEqual(['after-the-string']);
  });
});
