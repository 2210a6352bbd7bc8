/**
 * The files of a new adapter (pure: name → content). The scaffold is complete from the start: it passes
 * `lint` (adapter.yaml, template, shellcheck-clean scripts), its spec passes, and it renders in a
 * platform with no settings (every input has a default). A provided capability that has no contract
 * yet gets one whose schema matches what the render module publishes.
 */
import { STAGES, type Stage } from '../../../../constants';

export interface AdapterScaffold {
  name: string;
  /** Workspace-relative adapter folder (`adapters/<name>`). */
  root: string;
  /** Workspace-relative folder of the workspace's capability contracts. */
  contractsDir: string;
  /** File name of the engine's script library (ztc.sh). */
  engineLib: string;
  description: string;
  provides?: string;
  requires: string[];
  selectionGroup?: string;
  stages: Stage[];
  /** Create `<contractsDir>/<provides>.json` (no contract exists yet). */
  newContract: boolean;
}

const pascal = (s: string): string =>
  s
    .split(/[-_]/)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

export function adapterFiles(a: AdapterScaffold): Record<string, string> {
  const root = a.root;
  const files: Record<string, string> = {};
  const yaml = [
    `name: ${a.name}`,
    'version: 0.1.0',
    `display_name: ${pascal(a.name)}`,
    `description: ${JSON.stringify(a.description)}`,
    ...(a.selectionGroup ? [`selection_group: ${a.selectionGroup}`] : []),
    ...(a.provides ? ['provides:', `  - capability: ${a.provides}`] : []),
    ...(a.requires.length ? ['requires:', ...a.requires.map((r) => `  - ${r}`)] : []),
    'render: render.ts',
    'inputs:',
    '  type: object',
    '  additionalProperties: false',
    '  properties:',
    '    namespace:',
    '      type: string',
    '      pattern: "^[a-z0-9][a-z0-9-]*$"',
    `      default: ${a.name}`,
    '      prompt: Kubernetes namespace (lowercase letters, digits, hyphens)',
    '    replicas:',
    '      type: integer',
    '      minimum: 1',
    '      maximum: 9',
    '      default: 1',
    '      prompt: Number of replicas',
    ...(a.stages.length ? ['scripts:'] : []),
    ...a.stages.flatMap((stage) => [
      `  ${stage}:`,
      `    - file: scripts/${stage}/${stage === 'validation' ? 'check' : 'apply'}.sh`,
      `      description: ${stage === 'validation' ? 'Check' : 'Apply'} ${a.name} (${stage})`,
      '      timeout_seconds: 120',
      '      context:',
      '        namespace: "{{ config.namespace }}"',
    ]),
    '',
  ];
  files[`${root}/adapter.yaml`] = yaml.join('\n');
  const capType = a.provides ? `\n\nexport interface Provided {\n  '${a.provides}': { namespace: string };\n}` : '';
  files[`${root}/render.ts`] = `/**
 * ${a.name}: ${a.description}
 * Pure: renders templates/config.yaml into generated/${a.name}/config.yaml${a.provides ? ` and publishes "${a.provides}"` : ''}.
 */
import { defineRender } from '@ztc/engine';

export interface ${pascal(a.name)}Config {
  namespace: string;
  replicas: number;
}${capType}

export const render = defineRender<${pascal(a.name)}Config>((config, platform, _capabilities, { template }) => ({
  files: { '${a.name}/config.yaml': template('config.yaml', { config, platform: { name: platform.name } }) },
  capabilities: {${a.provides ? ` '${a.provides}': { namespace: config.namespace } ` : ''}},
}));
`;
  files[`${root}/render.spec.ts`] = `import { describe, expect, it } from 'vitest';
import { render } from './render.js';

describe('${a.name} render', () => {
  it('renders its config from the template${a.provides ? ` and publishes ${a.provides}` : ''}', () => {
    const calls: [string, unknown][] = [];
    const out = render({ namespace: 'demo', replicas: 2 }, { name: 'p' }, {}, { template: (name, vars) => (calls.push([name, vars]), 'rendered') });
    expect(out.files).toEqual({ '${a.name}/config.yaml': 'rendered' });
    expect(calls).toEqual([['config.yaml', { config: { namespace: 'demo', replicas: 2 }, platform: { name: 'p' } }]]);
    expect(out.capabilities).toEqual({${a.provides ? ` '${a.provides}': { namespace: 'demo' } ` : ''}});
  });
});
`;
  files[`${root}/templates/config.yaml`] = `# ${a.name} for platform {{ platform.name }}
namespace: {{ config.namespace }}
replicas: {{ config.replicas }}
`;
  for (const stage of a.stages) {
    const verb = stage === 'validation' ? 'check' : 'apply';
    files[`${root}/scripts/${stage}/${verb}.sh`] = `#!/usr/bin/env bash
# ${stage} step of adapter ${a.name}: replace the echo with the real work. Context: $ZTC_CONTEXT_FILE
# (ztc::ctx reads it). Bootstrap puts the engine's ${a.engineLib} in ZTC_LIB_DIR; for lint, the engine's
# own copy is found wherever the engine and this adapter are installed.
set -euo pipefail
# shellcheck source=${a.engineLib}
. "\${ZTC_LIB_DIR:?is set by ztc bootstrap: the folder holding ${a.engineLib}}/${a.engineLib}"

main() {
  ztc::init
  local namespace
  namespace="$(ztc::ctx .namespace)"
  echo "${a.name}: ${verb} in namespace \${namespace} (stub)"
}

main "$@"
`;
  }
  if (a.provides && a.newContract) {
    files[`${a.contractsDir}/${a.provides}.json`] = `${JSON.stringify(
      {
        name: a.provides,
        version: '1.0.0',
        description: `Published by ${a.name}: where it runs.`,
        schema: { type: 'object', additionalProperties: false, required: ['namespace'], properties: { namespace: { type: 'string' } } },
      },
      null,
      2,
    )}\n`;
  }
  return files;
}

/** "bootstrap, validation" → stages in their fixed order; unknown names are returned in `unknown`. */
export function parseStages(text: string | undefined): { stages: Stage[]; unknown: string[] } {
  const names = (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { stages: STAGES.filter((s) => names.includes(s)), unknown: names.filter((n) => !(STAGES as readonly string[]).includes(n)) };
}
