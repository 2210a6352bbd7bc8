import { describe, expect, it } from 'vitest';
import { checkTemplate } from './templates';

describe('checkTemplate', () => {
  it('accepts scalar placeholders in YAML, JSON and text templates', () => {
    expect(checkTemplate('a/templates/v.yaml', 'enabled: {{ hubble_enabled }}\nname: "{{ cluster.name }}"\nip: {{ nodes[0].ip }}\n')).toEqual([]);
    expect(checkTemplate('a/templates/v.json', '{ "port": {{ port }}, "name": "{{ name }}" }')).toEqual([]);
    expect(checkTemplate('a/templates/motd.txt', 'Hello {{ user }}')).toEqual([]);
    expect(checkTemplate('a/templates/q.yaml', 'greeting: {{ greeting | yaml }}\nlist: {{ items|json }}\n')).toEqual([]);
  });

  it('rejects Jinja filters and blocks, naming the line', () => {
    expect(checkTemplate('a/templates/v.yaml', 'a: 1\nb: {{ x | default(2) }}\n')).toEqual([
      'a/templates/v.yaml: line 2: unsupported template syntax near "{{" (only {{ dotted.path }} placeholders with scalar values, optionally quoted with | yaml or | json)',
    ]);
    expect(checkTemplate('a/templates/v.yaml', 'a: 1\n{% if x %}\nb: 2\n{% endif %}\n')[0]).toContain('line 2: unsupported template syntax');
  });

  it('rejects a path used both as a value and as a mapping', () => {
    expect(checkTemplate('a/templates/v.yaml', 'a: {{ node }}\nb: {{ node.ip }}\n')[0]).toContain('"{{ node }}" is a mapping');
  });

  it('reports YAML and JSON that no longer parse once placeholders are filled in', () => {
    expect(checkTemplate('a/templates/v.yaml', 'a: {{ x }}\n  b: [\n')[0]).toMatch(/^a\/templates\/v\.yaml: line \d+, column \d+: invalid YAML/);
    expect(checkTemplate('a/templates/v.json', '{ "a": {{ x }}, }')[0]).toContain('a/templates/v.json: invalid JSON once placeholders are filled in');
  });
});
