import { describe, expect, it } from 'vitest';
import { fixtureWorkspace } from '../../testing/temp-workspace';
import { forgetContracts, getContract, loadContracts } from './contracts';

describe('capability contracts', () => {
  it('are read from the workspace and re-read after forgetContracts (long-lived Nx processes)', () => {
    const ws = fixtureWorkspace();
    expect(getContract(ws.root, 'network')?.version).toBe('1.2.0');
    ws.write('tools/ztc/capabilities/network.json', ws.read('tools/ztc/capabilities/network.json').replace('"1.2.0"', '"1.3.0"'));
    expect(getContract(ws.root, 'network')?.version).toBe('1.2.0');
    forgetContracts();
    expect(getContract(ws.root, 'network')?.version).toBe('1.3.0');
  });

  it('refuse a contract whose name does not match its file', () => {
    const ws = fixtureWorkspace();
    ws.write('tools/ztc/capabilities/storage.json', '{"name": "volumes", "version": "1.0.0", "schema": {}}');
    expect(() => loadContracts(ws.root)).toThrow('tools/ztc/capabilities/storage.json: a contract needs name (= file name), version and schema');
  });
});
