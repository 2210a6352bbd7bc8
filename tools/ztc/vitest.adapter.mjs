// The vitest config of an adapter's `test` target where the workspace's root config splits into test
// projects (nx/plugin/vitest-setup.ts): `vitest run --root <adapter> --config <engine>/vitest.adapter.mjs`
// runs the adapter's specs on their own, with vitest's defaults otherwise.
export default { test: { include: ['**/*.{spec,test}.?(c|m)[jt]s'], exclude: ['**/node_modules/**'] } };
