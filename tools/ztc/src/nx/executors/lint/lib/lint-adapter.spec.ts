import { describe, expect, it } from 'vitest';
import { tempWorkspace } from '../../../../../testing/temp-workspace';
import { formatReport, lintAdapter } from './lint-adapter';

const ADAPTER = `name: demo
version: 1.0.0
description: Lint fixture.
scripts:
  bootstrap:
    - file: scripts/install.sh
      description: Install it
      timeout_seconds: 60
      required: true
`;
const GOOD = '#!/usr/bin/env bash\nset -euo pipefail\nname="$(jq -r .name "$ZTC_CONTEXT_FILE")"\necho "installing $name"\n';

function workspace(files: Record<string, string>) {
  return tempWorkspace({ 'adapters/demo/adapter.yaml': ADAPTER, 'adapters/demo/scripts/install.sh': GOOD, ...files });
}

describe('lintAdapter', () => {
  it('passes a clean adapter and says what it checked', async () => {
    const ws = workspace({ 'adapters/demo/templates/values.yaml': 'a: {{ b }}\n' });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors).toEqual([]);
    expect(formatReport(report)).toBe('adapters/demo: ok (adapter.yaml, 1 template, 1 script)');
  });

  it('reports shellcheck findings with the adapter-relative path and the SC code', async () => {
    const ws = workspace({ 'adapters/demo/scripts/install.sh': '#!/usr/bin/env bash\nset -euo pipefail\nfor f in $(ls *.txt); do echo $f; done\n' });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors.some((e) => /^adapters\/demo\/scripts\/install\.sh:3:\d+: .*\[SC2045\]$/.test(e))).toBe(true);
  });

  it('requires set -euo pipefail and warns about scripts adapter.yaml never runs', async () => {
    const ws = workspace({ 'adapters/demo/scripts/install.sh': '#!/usr/bin/env bash\necho hi\n', 'adapters/demo/scripts/old.sh': GOOD });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors).toContain('adapters/demo/scripts/install.sh: missing "set -euo pipefail" (CONTRACT §7: scripts stop on the first error)');
    expect(report.warnings).toEqual(['adapters/demo/scripts/old.sh: not referenced by adapter.yaml (it never runs)']);
  });

  it('reports a script shfmt would change, with the command that formats it', async () => {
    const ws = workspace({ 'adapters/demo/scripts/install.sh': '#!/usr/bin/env bash\nset -euo pipefail\nif true; then\n    echo hi\nfi\n' });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors).toEqual(['adapters/demo/scripts/install.sh: not formatted as ZTC scripts are (run "shfmt -w -i 2 -ci -bn scripts/install.sh")']);
  });

  it('requires ztc::init in a script that sources ztc.sh', async () => {
    const sourcing = '#!/usr/bin/env bash\nset -euo pipefail\n# shellcheck source=/dev/null\n. "${ZTC_LIB_DIR:?}/ztc.sh"\n\nmain() {\n  echo hi\n}\n\nmain "$@"\n';
    const ws = workspace({ 'adapters/demo/scripts/install.sh': sourcing });
    expect((await lintAdapter(ws.root, 'demo')).errors).toEqual([
      expect.stringMatching(/^adapters\/demo\/scripts\/install\.sh: sources ztc\.sh but never calls ztc::init \(make it the first line of main/),
    ]);
    const fixed = workspace({ 'adapters/demo/scripts/install.sh': sourcing.replace('main() {\n', 'main() {\n  ztc::init\n') });
    expect((await lintAdapter(fixed.root, 'demo')).errors).toEqual([]);
  });

  it('reports adapter.yaml schema problems and template problems together', async () => {
    const ws = workspace({
      'adapters/demo/adapter.yaml': ADAPTER.replace('version: 1.0.0', 'version: one'),
      'adapters/demo/templates/bad.yaml': 'x: {{ y | upper }}\n',
    });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors[0]).toMatch(/^adapters\/demo\/adapter\.yaml: version: must match pattern/);
    expect(report.errors.some((e) => e.startsWith('adapters/demo/templates/bad.yaml: line 1: unsupported template syntax'))).toBe(true);
  });

  it('reports an inputs schema that does not compile', async () => {
    const ws = workspace({ 'adapters/demo/adapter.yaml': `${ADAPTER}inputs:\n  type: object\n  properties:\n    mtu: { type: number-ish }\n` });
    const report = await lintAdapter(ws.root, 'demo');
    expect(report.errors).toEqual([expect.stringMatching(/^adapters\/demo\/adapter\.yaml: inputs: not a valid JSON Schema/)]);
  });
});
