/**
 * Temp workspaces for bootstrap tests: small adapters (not the real ones in adapters/) whose steps are
 * the real bash scripts in ./scripts, rendered with the real render spine into platform `demo`, plus a
 * private tmp root for the `ztc-secure-*` dirs so each test can see exactly what its run left behind.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { onTestFinished } from 'vitest';
import { stringify } from 'yaml';
import { minimalEnv } from '../../../testing/run-bin';
import { tempDir, tempWorkspace, type TempWorkspace } from '../../../testing/temp-workspace';
import type { Stage } from '../../constants';
import { applyRenderPlan } from '../../render/apply';
import { planRender } from '../../render/plan';
import type { BootstrapEvent } from '../events';
import { runBootstrap, type BootstrapOptions, type BootstrapResult } from '../run-bootstrap';

export type FixtureScript = 'record' | 'fail' | 'hang' | 'leaky' | 'health' | 'snapshot';

export interface FixtureStep {
  name: string;
  script: FixtureScript;
  timeout?: number;
  secrets?: string[];
  context?: Record<string, unknown>;
  required?: boolean;
  /** adapter.yaml `disruptive:` */
  disruptive?: string;
  /** adapter.yaml `purge:` (teardown steps only) */
  purge?: string;
}

export interface FixtureAdapter {
  name: string;
  /** @default '1.0.0' */
  version?: string;
  /** Provide `cni` (render module included) or require it: makes the order differ from name order. */
  cni?: 'provides' | 'requires';
  tools?: (string | { name: string; install?: string })[];
  checkHealth?: Omit<FixtureStep, 'name'>;
  stages?: Partial<Record<Stage, FixtureStep[]>>;
  /** adapter.yaml `scripts.teardown` */
  teardown?: FixtureStep[];
  /** adapter.yaml `backup` */
  backup?: FixtureStep;
}

export const PLATFORM = 'demo';
const SCRIPTS = join(__dirname, 'scripts');

const CNI_RENDER = `export const render = () => ({
  files: { 'zeta/cni.txt': 'fixture cni\\n' },
  capabilities: { cni: { name: 'fixture', version: '1.0.0', talos_patch: {} } },
});
`;

function scriptDecl(s: Omit<FixtureStep, 'name'> & { name?: string }) {
  return {
    ...(s.name ? { name: s.name } : {}),
    file: `scripts/${s.script}.sh`,
    description: `fixture ${s.script} step`,
    timeout_seconds: s.timeout ?? 60,
    ...(s.secrets ? { secret_env: s.secrets } : {}),
    context: s.context ?? {},
    required: s.required ?? true,
    ...(s.disruptive !== undefined ? { disruptive: s.disruptive } : {}),
    ...(s.purge !== undefined ? { purge: s.purge } : {}),
  };
}

function adapterYaml(a: FixtureAdapter): string {
  const scripts: Record<string, unknown> = Object.fromEntries(Object.entries(a.stages ?? {}).map(([stage, steps]) => [stage, steps.map(scriptDecl)]));
  if (a.teardown) scripts.teardown = a.teardown.map(scriptDecl);
  return stringify({
    name: a.name,
    version: a.version ?? '1.0.0',
    description: `fixture adapter ${a.name}`,
    ...(a.cni === 'provides' ? { provides: [{ capability: 'cni', version: '1.0.0' }], render: 'render.ts' } : {}),
    ...(a.cni === 'requires' ? { requires: [{ capability: 'cni', version: '>=1.0.0 <2.0.0' }] } : {}),
    ...(a.tools ? { tools: a.tools } : {}),
    ...(a.checkHealth ? { check_health: scriptDecl(a.checkHealth) } : {}),
    ...(a.backup ? { backup: scriptDecl(a.backup) } : {}),
    scripts,
  });
}

export interface FixtureWorkspace {
  ws: TempWorkspace;
  root: string;
  /** Private parent of the `ztc-secure-*` dirs of this workspace's runs. */
  tmpRoot: string;
  /** ZTC_PRIVATE_DIR of this workspace's runs (unless a test's env sets another). */
  privateDir: string;
  /** (Re)write an adapter's files; call render() afterwards. */
  writeAdapter(a: FixtureAdapter): void;
  render(): void;
  /** Run bootstrap in-process, collecting events. */
  run(opts?: Partial<BootstrapOptions>): Promise<{ result: BootstrapResult; events: BootstrapEvent[] }>;
  /** Absolute path inside platforms/demo/.ztc/state. */
  state(rel: string): string;
  /** Steps recorded by the fixture scripts, in run order. */
  order(): string[];
  secureDirsLeft(): string[];
}

export function fixtureWorkspace(adapters: FixtureAdapter[]): FixtureWorkspace {
  const ws = tempWorkspace({}, { fromRepo: ['tools/ztc/capabilities/cni.json'] });
  const tmpRoot = tempDir('ztc-bootstrap-tmp-');
  onTestFinished(() => rmSync(`${tmpRoot}-private`, { recursive: true, force: true }));
  const fx: FixtureWorkspace = {
    ws,
    root: ws.root,
    tmpRoot,
    writeAdapter(a) {
      const base = `adapters/${a.name}`;
      ws.write(`${base}/adapter.yaml`, adapterYaml(a));
      if (a.cni === 'provides') ws.write(`${base}/render.ts`, CNI_RENDER);
      for (const script of ['record', 'fail', 'hang', 'leaky', 'health', 'snapshot']) {
        ws.write(`${base}/scripts/${script}.sh`, readFileSync(join(SCRIPTS, `${script}.sh`), 'utf8'));
      }
    },
    render() {
      applyRenderPlan(ws.path(`platforms/${PLATFORM}`), planRender(ws.root, PLATFORM));
    },
    privateDir: join(tmpRoot, '..', `${basename(tmpRoot)}-private`),
    async run({ env, ...opts } = {}) {
      const events: BootstrapEvent[] = [];
      const result = await runBootstrap({
        workspaceRoot: ws.root,
        platform: PLATFORM,
        // Credentials of the run go to a temp dir, never to the real ~/.local/state.
        env: { ZTC_PRIVATE_DIR: fx.privateDir, ...(env ?? minimalEnv()) },
        tmpRoot,
        killGraceMs: 300,
        onEvent: (e) => events.push(e),
        ...opts,
      });
      return { result, events };
    },
    state: (rel) => ws.path(`platforms/${PLATFORM}/.ztc/state/${rel}`),
    order() {
      try {
        return readFileSync(fx.state('order.txt'), 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
    secureDirsLeft: () => readdirSync(tmpRoot),
  };
  for (const a of adapters) fx.writeAdapter(a);
  ws.write(`platforms/${PLATFORM}/platform.yaml`, stringify({ version: '1.0', adapters: Object.fromEntries(adapters.map((a) => [a.name, {}])) }));
  fx.render();
  return fx;
}

/** Step ids of the events of one kind, in order. */
export function stepsOf(events: BootstrapEvent[], kind: BootstrapEvent['event']): string[] {
  return events.filter((e) => e.event === kind).map((e) => (e as { step: string }).step);
}
