import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath } from './preconditions';

const DIR = join(__dirname, '__fixtures__', 'scripts');

describe('fixture adapter scripts', () => {
  it.skipIf(!findOnPath('shellcheck', process.env.PATH))('are shellcheck-clean, like every adapter script must be', () => {
    const scripts = readdirSync(DIR).filter((f) => f.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThan(0);
    expect(() => execFileSync('shellcheck', scripts, { cwd: DIR, stdio: 'pipe' })).not.toThrow();
  });
});
