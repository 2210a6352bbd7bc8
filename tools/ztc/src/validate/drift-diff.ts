/**
 * `ztc validate --diff`: for each drifted file, the unified diff from what is on disk (`a/`) to what a
 * fresh render writes (`b/`), i.e. what `ztc render` would change. Causes that are not a file's content
 * (platform.yaml or an adapter changed) have no diff of their own: the files they change are listed as
 * drift too.
 */
import { join } from 'node:path';
import { readIfExists } from '../render/disk';
import { unifiedDiff } from '../util/diff';
import type { Drift, ValidateResult } from './validate';

/** The diff for one drift entry ('' when it has none: platform_changed, adapter_changed). */
export function driftDiff(workspaceRoot: string, d: Drift, result: Pick<ValidateResult, 'expected'>): string {
  if (d.code === 'platform_changed' || d.code === 'adapter_changed') return '';
  const onDisk = readIfExists(join(workspaceRoot, d.path));
  const fresh = result.expected(d.path);
  if ((onDisk && onDisk.includes(0)) || fresh?.includes('\0')) {
    return `Binary files ${onDisk ? `a/${d.path}` : '/dev/null'} and ${fresh !== undefined ? `b/${d.path}` : '/dev/null'} differ`;
  }
  return unifiedDiff(onDisk?.toString('utf8') ?? '', fresh ?? '', d.path, {
    before: onDisk ? 'empty' : 'missing',
    after: fresh === undefined ? 'missing' : 'empty',
  });
}
