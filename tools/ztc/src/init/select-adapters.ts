/**
 * Which adapters a platform uses: those of platform.yaml plus those the answers, flags and env vars
 * name; in the wizard also one choice per selection group (new platform or --all). Then, as render
 * resolves them, every capability a chosen adapter requires and none provides is filled from the
 * workspace's providers: the obvious one (the only provider, or the only group default) without asking,
 * otherwise the wizard asks and the non-interactive modes report it.
 */
import type { Issue } from '../errors';
import { dependencyOrder, missingCapabilities, obviousProvider } from './catalog';
import type { CollectContext } from './collect';
import type { Ui } from './types';

export async function selectAdapters(ctx: CollectContext, ui: Ui | undefined, issues: Issue[], notes: string[]): Promise<string[]> {
  const { catalog, sources } = ctx;
  const selected = [...new Set([...sources.existing, ...sources.named])];
  for (const name of selected) {
    const broken = catalog.broken.get(name);
    if (broken) issues.push(...broken.issues);
  }
  if (ui && (!ctx.exists || ctx.all)) {
    for (const group of catalog.groups) {
      const current = group.adapters.find((a) => selected.includes(a));
      if (current && sources.named.has(current) && !ctx.all) continue;
      const choice = await ui.chooseGroup(group, catalog, current);
      for (const a of group.adapters) if (a !== choice && selected.includes(a)) selected.splice(selected.indexOf(a), 1);
      if (choice && !selected.includes(choice)) selected.push(choice);
    }
  }
  if (selected.length === 0) {
    issues.push({
      file: ctx.file,
      path: 'adapters',
      message: 'no adapter chosen',
      hint: `name adapters with --set <adapter>.<field>=… or under adapters: in the --answers file (this workspace has: ${[...catalog.adapters.keys()].join(', ') || 'none'})`,
    });
    return [];
  }
  const handled = new Set<string>();
  for (let missing = missingCapabilities(selected, catalog.adapters); missing.length > 0; missing = missingCapabilities(selected, catalog.adapters)) {
    const next = missing.find((m) => !handled.has(m.capability));
    if (!next) break;
    handled.add(next.capability);
    const obvious = obviousProvider(next, catalog.adapters);
    const needs = `${next.requiredBy.join(', ')} require${next.requiredBy.length === 1 ? 's' : ''} capability "${next.capability}"`;
    if (next.candidates.length === 0) {
      issues.push({
        file: ctx.file,
        path: 'adapters',
        message: `${needs}, and no adapter of the workspace provides it`,
        hint: 'write one (see docs/adapters.md) or remove the adapters that need it',
      });
    } else if (ui && (next.candidates.length > 1 || !obvious)) {
      selected.push(await ui.chooseProvider(next, catalog, obvious));
    } else if (obvious) {
      notes.push(`added ${obvious}: ${needs}`);
      ui?.say(`Added ${obvious}: ${needs}.`);
      selected.push(obvious);
    } else {
      issues.push({
        file: ctx.file,
        path: 'adapters',
        message: `${needs}; several adapters provide it: ${next.candidates.join(', ')}`,
        hint: `choose one: --set ${next.candidates[0]}.<field>=… or add adapters.${next.candidates[0]} to the --answers file`,
      });
    }
  }
  return dependencyOrder(selected, catalog.adapters);
}
