/**
 * The `pretest` check: `npm test` stops before any spec when a tool is missing, with one message that
 * names each missing tool and how to install it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findMissing, formatMissing, nodeSupported, TOOLS, which } from './check-prerequisites.cjs';

const SCRIPT = join(__dirname, 'check-prerequisites.cjs');
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A PATH of one folder holding links to the named tools of this machine (and stand-ins given as text). */
function pathWith(names: string[], standIns: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ztc-prereq-'));
  dirs.push(dir);
  for (const n of names) symlinkSync(which(n, process.env.PATH)!, join(dir, n));
  for (const [n, text] of Object.entries(standIns)) {
    writeFileSync(join(dir, n), text);
    chmodSync(join(dir, n), 0o755);
  }
  return dir;
}

describe('prerequisites check', () => {
  it('is what npm test runs first', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.pretest).toBe('node scripts/check-prerequisites.cjs');
  });

  it.each([
    ['20.18.1', false],
    ['20.19.0', true],
    ['22.12.0', false],
    ['22.13.0', true],
    ['24.0.0', true],
    ['18.20.0', false],
  ])('Node %s supported: %s', (version, ok) => {
    expect(nodeSupported(version)).toBe(ok);
  });

  it('passes silently on this machine (the suite is running, so everything is there)', () => {
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('stops with one message naming each missing tool and the Debian command that installs it', () => {
    const path = pathWith(['bash', 'git', 'jq', 'ssh-keygen', 'setsid', 'xxd', 'basenc']);
    const r = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', env: { PATH: path } });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const names = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('  ') && !l.includes(':'))
      .map((l) => l.trim().split(/\s+/)[0]);
    expect(names).toEqual(['shellcheck', 'shfmt', 'curl', 'openssl', 'age', 'age-keygen', 'htpasswd', 'python3']);
    expect(r.stderr).toContain('Debian/Ubuntu: sudo apt-get install -y shellcheck shfmt curl openssl age apache2-utils python3\n');
    expect(r.stderr).toContain('Then run "npm test" again');
  });

  it('refuses bash 3 (macOS) and gives the Homebrew command there', () => {
    const path = pathWith(
      TOOLS.map((t) => t.name).filter((n) => n !== 'bash' && n !== 'shellcheck'),
      { bash: '#!/bin/sh\necho 3\n' },
    );
    const missing = findMissing({ nodeVersion: '24.1.0', path });
    expect(missing.map((m) => m.name)).toEqual(['bash', 'shellcheck']);
    const text = formatMissing(missing, 'darwin');
    expect(text).toMatch(/bash\s+.*older than bash 4/);
    expect(text).toContain('macOS (Homebrew): brew install bash shellcheck');
    expect(text).not.toContain('apt-get');
  });

  it('names an unsupported Node.js version with how to get a current one', () => {
    const missing = findMissing({ nodeVersion: '18.20.4', path: '', bashMajor: () => 5 });
    const text = formatMissing(missing, 'linux');
    expect(text).toContain('Node.js ^20.19.0 || >=22.13.0  this is 18.20.4');
    expect(text).toContain('Node.js: nvm install 24');
  });
});
