/** dist/generators.js (build/build.js): the generators of generators.json, each its module (`default`). */
export * as init from '../nx/generators/init/generator';
export * as platform from '../nx/generators/platform/generator';
export * as adapter from '../nx/generators/adapter/generator';
