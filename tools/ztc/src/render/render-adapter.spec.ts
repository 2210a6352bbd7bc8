/**
 * render-adapter.ts in-process: one adapter's render module loaded from a temp workspace and called the
 * way planRender calls it, and every check on the way in and out, without a CLI process.
 */
import { describe, expect, it } from 'vitest';
import { fixtureWorkspace, type TempWorkspace } from '../../testing/temp-workspace';
import { readAdapter } from '../adapter/read-adapter';
import { ConfigError, type Issue } from '../errors';
import { renderAdapter } from './render-adapter';

const PLATFORM = { name: 'demo', organization: 'acme', app_name: 'acme-demo' };
const AVAILABLE = new Map<string, unknown>([
  ['network', { cidr: '10.9.0.0/16', mtu: 9000 }],
  ['volumes', { classes: ['fast'] }],
  ['ingress', { class: 'nginx' }],
]);

const render = (ws: TempWorkspace, name: string, config: Record<string, unknown>, available: ReadonlyMap<string, unknown> = AVAILABLE) =>
  renderAdapter(ws.root, readAdapter(ws.root, name), config, PLATFORM, available);

/** The issues of the ConfigError `fn` throws. */
function issuesOf(fn: () => unknown): Issue[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** net's render module replaced by `body` (the module's source after the import). */
function withNet(body: string): TempWorkspace {
  const ws = fixtureWorkspace();
  ws.write('adapters/net/render.ts', `import type { RenderFn } from '@ztc/engine';\n${body}\n`);
  return ws;
}

describe('renderAdapter', () => {
  it('returns the files, declared capabilities and script contexts of the module', () => {
    const ws = fixtureWorkspace();
    expect(render(ws, 'net', { cidr: '10.9.0.0/16', mtu: 9000 })).toEqual({
      adapter: 'net',
      files: { 'net/config.yaml': 'cidr: 10.9.0.0/16\nmtu: 9000\n' },
      capabilities: { network: { cidr: '10.9.0.0/16', mtu: 9000 } },
      scriptContext: {},
    });
    const app = render(ws, 'app', { name: 'shop', replicas: 2 });
    // Only what app requires reaches it (not ingress), and the templates are the adapter's own.
    expect(JSON.parse(app.files['app/seen.json']!)).toEqual({ capabilities: ['network', 'volumes'], platform: 'demo' });
    expect(app.files['app/deployment.yaml']).toContain('shop');
    expect(app.scriptContext).toEqual({ deploy: { volume_classes: ['fast'] } });
  });

  it('renders the module as it is now, also when this process loaded it before', () => {
    const ws = fixtureWorkspace();
    expect(render(ws, 'net', { cidr: '10.9.0.0/16', mtu: 9000 }).files['net/config.yaml']).toContain('mtu: 9000');
    ws.write('adapters/net/render.ts', ws.read('adapters/net/render.ts').replace('mtu: ${config.mtu}', 'mtu: ${config.mtu * 2}'));
    expect(render(ws, 'net', { cidr: '10.9.0.0/16', mtu: 9000 }).files['net/config.yaml']).toContain('mtu: 18000');
  });

  it('refuses a consumed payload its contract rejects, before the module runs', () => {
    const ws = fixtureWorkspace();
    const issues = issuesOf(() => render(ws, 'app', { name: 'shop', replicas: 2 }, new Map([...AVAILABLE, ['network', { cidr: 42 }]])));
    expect(issues[0]).toMatchObject({ file: 'adapters/app/adapter.yaml' });
    expect(issues.map((i) => i.message).join('\n')).toContain('consumed by "app"');
  });

  it('refuses a capability the adapter does not declare, and a declared one it does not produce', () => {
    const extra = withNet(`export const render: RenderFn = () => ({ files: {}, capabilities: { network: { cidr: '10.0.0.0/8', mtu: 1500 }, dns: {} } });`);
    expect(issuesOf(() => render(extra, 'net', {}))).toEqual([
      expect.objectContaining({ file: 'adapters/net/render.ts', path: 'capabilities.dns', hint: 'add it to provides or stop producing it' }),
    ]);
    const none = withNet(`export const render: RenderFn = () => ({ files: {} });`);
    expect(issuesOf(() => render(none, 'net', {}))).toEqual([
      expect.objectContaining({ file: 'adapters/net/render.ts', path: 'capabilities.network', message: 'declares capability "network" in provides but render did not produce it' }),
    ]);
  });

  it('names the file of a content that is not a string, and of generated YAML that does not parse', () => {
    const number = withNet(`export const render = () => ({ files: { 'net/n.txt': 42 }, capabilities: { network: { cidr: '10.0.0.0/8', mtu: 1500 } } });`);
    expect(issuesOf(() => render(number, 'net', {}))).toEqual([expect.objectContaining({ path: 'files["net/n.txt"]', message: 'content must be a string, got number' })]);
    const yaml = withNet(`export const render: RenderFn = () => ({ files: { 'net/bad.yaml': 'a: [1\\n' }, capabilities: { network: { cidr: '10.0.0.0/8', mtu: 1500 } } });`);
    expect(issuesOf(() => render(yaml, 'net', {}))[0]!.file).toBe('adapters/net/render.ts');
  });

  it('reports a module that throws, or changes its frozen inputs, as a render failure of its file', () => {
    const throws = withNet(`export const render: RenderFn = () => { throw new Error('no cidr today'); };`);
    expect(issuesOf(() => render(throws, 'net', {}))).toEqual([{ file: 'adapters/net/render.ts', path: 'render', message: 'render failed: no cidr today' }]);
    const mutates = withNet(`export const render: RenderFn<{ mtu: number }> = (config) => { config.mtu = 1; return { files: {}, capabilities: {} }; };`);
    expect(issuesOf(() => render(mutates, 'net', { mtu: 9000 }))[0]!.message).toMatch(/^render failed: .*read.only/);
  });

  it('says what to export when the module has no render function', () => {
    const ws = withNet(`export const notRender = 1;`);
    expect(issuesOf(() => render(ws, 'net', {}))).toEqual([expect.objectContaining({ path: 'render', message: 'the module does not export a render function' })]);
  });
});
