/**
 * dist/executors.js (build/build.js): the executors of executors.json, one bundle for both, since Nx
 * runs them in one process per batch. Each is its module (`default`, the single-task executor; `batch`).
 */
export * as render from '../nx/executors/render/executor';
export * as lint from '../nx/executors/lint/executor';
