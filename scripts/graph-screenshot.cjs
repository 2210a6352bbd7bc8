#!/usr/bin/env node
'use strict';
/**
 * Regenerates docs/img/nx-graph-example.png: `nx graph --focus=example` as a static page, photographed
 * with headless Chromium. Not a dependency of the workspace; needs Chromium (Debian: apt-get install
 * chromium) and playwright-core somewhere Node finds it (e.g. `npm i --prefix /tmp/pw playwright-core`
 * and NODE_PATH=/tmp/pw/node_modules).
 *
 *   NODE_PATH=/tmp/pw/node_modules node scripts/graph-screenshot.cjs [out.png]
 */
const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

/** The graph's part of the page (the project list on the left is left out); GRAPH_CLIP=full for all of it. */
const CLIP = process.env.GRAPH_CLIP === 'full' ? undefined : { x: 650, y: 80, width: 490, height: 600 };

async function main() {
  const root = resolve(__dirname, '..');
  const out = resolve(process.argv[2] ?? join(root, 'docs/img/nx-graph-example.png'));
  const dir = mkdtempSync(join(tmpdir(), 'ztc-graph-'));
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', '--focus=example', `--file=${join(dir, 'graph.html')}`], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
      stdio: 'inherit',
    });
    const { chromium } = require('playwright-core');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 800 }, deviceScaleFactor: 2 });
    await page.goto(`file://${join(dir, 'graph.html')}`);
    await page.waitForTimeout(4000); // the layout animates in
    await page.screenshot({ path: out, clip: CLIP });
    await browser.close();
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
