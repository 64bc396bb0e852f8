// Repository contracts: the layering rule holds, and generated files are fresh.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayering, importsOf } from './layering.ts';
import { renderAll } from './gen-lib.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('repo - layering', () => {
  it('repo - no package imports against the direction of the layers', () => {
    expect(checkLayering(root)).toEqual([]);
  });
  it('repo - the import scanner sees static, re-export, side-effect and dynamic imports', () => {
    const text = "import a from '@aios/kernel';\nexport { b } from \"@aios/services\";\nimport '@aios/drivers/x';\nconst c = await import('aios');";
    expect(importsOf(text)).toEqual(['@aios/kernel', '@aios/services', '@aios/drivers/x', 'aios']);
  });
});

describe('repo - generated files', () => {
  it('repo - stubs and docs match the abi table (run `npm run gen` when this fails)', () => {
    for (const [rel, text] of Object.entries(renderAll())) {
      expect(readFileSync(join(root, rel), 'utf8'), `${rel} is stale: run npm run gen`).toBe(text);
    }
  });
});
