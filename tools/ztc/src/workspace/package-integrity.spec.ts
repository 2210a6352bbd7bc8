/** The integrity lock.json records for an installed adapter package, as npm's or pnpm's lockfile gives it. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageIntegrity } from './package-integrity';
import type { InstalledAdapter } from './workspace';

const TALOS: InstalledAdapter = { name: 'talos', dir: 'node_modules/@ztc/adapter-talos', packageName: '@ztc/adapter-talos', version: '1.1.0' };
const roots: string[] = [];
function workspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ztc-integrity-'));
  roots.push(root);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('packageIntegrity', () => {
  it("reads npm's package-lock.json", () => {
    const root = workspace({ 'package-lock.json': JSON.stringify({ packages: { 'node_modules/@ztc/adapter-talos': { version: '1.1.0', integrity: 'sha512-npm' } } }) });
    expect(packageIntegrity(root, TALOS)).toBe('sha512-npm');
  });

  it('takes the installed version when pnpm-lock.yaml holds two versions of the package', () => {
    const root = workspace({
      'pnpm-lock.yaml': [
        "lockfileVersion: '9.0'",
        'packages:',
        "  '@ztc/adapter-talos@1.0.0':",
        '    resolution: {integrity: sha512-old}',
        "  '@ztc/adapter-talos@1.1.0':",
        '    resolution: {integrity: sha512-new}',
        '',
      ].join('\n'),
    });
    expect(packageIntegrity(root, TALOS)).toBe('sha512-new');
  });

  it("reads pnpm 8's lockfile, whose package keys begin with a slash", () => {
    const root = workspace({
      'pnpm-lock.yaml': ["lockfileVersion: '6.0'", 'packages:', '  /@ztc/adapter-talos@1.1.0:', '    resolution: {integrity: sha512-v6}', ''].join('\n'),
    });
    expect(packageIntegrity(root, TALOS)).toBe('sha512-v6');
  });

  it('reads a package installed from a tarball (its pnpm key names the file, not the version)', () => {
    const root = workspace({
      'pnpm-lock.yaml': [
        "lockfileVersion: '9.0'",
        'packages:',
        "  '@ztc/adapter-talos@file:../ztc-adapter-talos-1.1.0.tgz':",
        '    resolution: {integrity: sha512-file, tarball: file:../ztc-adapter-talos-1.1.0.tgz}',
        '',
      ].join('\n'),
    });
    expect(packageIntegrity(root, TALOS)).toBe('sha512-file');
  });

  it('is undefined when no lockfile names the package', () => {
    expect(packageIntegrity(workspace({}), TALOS)).toBeUndefined();
  });
});
