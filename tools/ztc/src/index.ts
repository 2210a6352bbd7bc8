/**
 * Public API of the ZTC engine. Adapters import only the SDK types and helpers from here; the CLI, the
 * Nx plugin and executors call the same library functions, so behaviour cannot fork between them.
 */
export type { ChangeCheck, PlanSide, PlatformMetadata, RenderFn, RenderHelpers, RenderResult } from './sdk/types';
export { defineChangeCheck, defineRender } from './sdk/types';
export { STAGES, type Stage } from './constants';
