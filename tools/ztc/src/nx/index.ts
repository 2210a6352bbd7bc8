/**
 * The ZTC Nx plugin: adapters and platforms as Nx projects, the capability graph as a cached task graph.
 * Loaded as `@ztc/engine/plugin` (nx-plugin.js), which runs it from the engine's build (dist/plugin.js).
 */
export { createNodes } from './plugin/create-nodes';
export { createDependencies } from './plugin/create-dependencies';
export type { ZtcPluginOptions } from './options';

export const name = 'ztc';
