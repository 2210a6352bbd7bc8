#!/usr/bin/env node
/**
 * `npm test` runs this first (the `pretest` script): it checks the machine for what the test suite needs
 * and, when something is missing, stops at once with one message naming each missing tool and the
 * command that installs it, instead of letting specs fail minutes later. It only looks things up on
 * PATH (plus one `bash` call for its version): it starts no test and needs no network.
 *
 * Exported functions are pure so the spec can drive them with any PATH, platform and Node version.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const { accessSync, constants, statSync } = require('node:fs');
const { delimiter, join } = require('node:path');

/** Node.js versions the workspace supports (package.json engines). */
const NODE_RANGE = '^20.19.0 || >=22.13.0';
const NODE_HINT = { debian: 'nvm install 24 (https://github.com/nvm-sh/nvm), or NodeSource packages', macos: 'brew install node@24' };

/** What the suite needs on PATH, why, and the package that provides it. */
const TOOLS = [
  { name: 'bash', why: 'adapter scripts, bootstrap, the simulated datacenter (bash 4 or newer)', debian: 'bash', macos: 'bash' },
  { name: 'git', why: 'the Nx end-to-end specs (nx affected)', debian: 'git', macos: 'git' },
  { name: 'jq', why: 'bootstrap scripts read their context with it', debian: 'jq', macos: 'jq' },
  { name: 'shellcheck', why: 'adapter lint', debian: 'shellcheck', macos: 'shellcheck' },
  { name: 'shfmt', why: 'script formatting (adapter and engine lint, the lint spec)', debian: 'shfmt', macos: 'shfmt' },
  { name: 'curl', why: 'adapter scripts calling APIs in the simulated datacenter', debian: 'curl', macos: 'curl' },
  { name: 'ssh-keygen', why: 'the Hetzner adapter makes its SSH key with it', debian: 'openssh-client', macos: null },
  { name: 'openssl', why: "the GitHub adapter's App JWT (simulated datacenter)", debian: 'openssl', macos: null },
  { name: 'age', why: "the KSOPS adapter's Age key (simulated datacenter; the simulated sops encrypts with it)", debian: 'age', macos: 'age' },
  { name: 'age-keygen', why: 'the KSOPS adapter makes its Age key with it', debian: 'age', macos: 'age' },
  { name: 'htpasswd', why: "the Argo CD adapter's admin password hash (simulated datacenter)", debian: 'apache2-utils', macos: null },
  { name: 'python3', why: "the init wizard's terminal spec (Python's pty module)", debian: 'python3', macos: 'python' },
  { name: 'setsid', why: 'the bootstrap runner spec (a process leaving its group)', debian: 'util-linux', macos: 'util-linux' },
  { name: 'xxd', why: "the masking spec's leaky script (a secret printed as hex)", debian: 'xxd', macos: null },
  { name: 'basenc', why: "the masking spec's leaky script (a secret printed as base64url)", debian: 'coreutils', macos: 'coreutils' },
];

/** [major, minor, patch] of a version string. */
const parts = (v) =>
  v
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number.parseInt(n, 10) || 0);

/** Whether a Node.js version is in NODE_RANGE. */
function nodeSupported(version) {
  const [major, minor] = parts(version);
  if (major === 20) return minor >= 19;
  if (major === 22) return minor >= 13;
  return major > 22;
}

/** Absolute path of an executable named `name` on `path`, or undefined. */
function which(name, path) {
  for (const dir of (path ?? '').split(delimiter).filter(Boolean)) {
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** Major version of the bash at `file` (macOS ships 3.2; the scripts use mapfile, bash 4). */
function bashMajor(file) {
  const r = spawnSync(file, ['-c', 'echo "${BASH_VERSINFO[0]}"'], { encoding: 'utf8', timeout: 5000 });
  return Number.parseInt(r.stdout ?? '', 10) || 0;
}

/**
 * Everything missing: `[{ name, why, debian, macos, found? }]`.
 * @param {{ nodeVersion: string, path: string | undefined, bashMajor?: (file: string) => number }} env
 */
function findMissing(env) {
  const missing = [];
  if (!nodeSupported(env.nodeVersion)) {
    missing.push({ name: `Node.js ${NODE_RANGE}`, why: `this is ${env.nodeVersion}`, debian: null, macos: null, node: true });
  }
  for (const tool of TOOLS) {
    const file = which(tool.name, env.path);
    if (!file) missing.push(tool);
    else if (tool.name === 'bash' && (env.bashMajor ?? bashMajor)(file) < 4) missing.push({ ...tool, why: `${file} is older than bash 4 (${tool.why})` });
  }
  return missing;
}

/** The one message for what is missing, with the install command for this platform ('linux', 'darwin', …). */
function formatMissing(missing, platform) {
  const width = Math.max(...missing.map((m) => m.name.length));
  const lines = ['npm test: this machine is missing what the test suite needs:'];
  for (const m of missing) lines.push(`  ${m.name.padEnd(width)}  ${m.why}`);
  const tools = missing.filter((m) => !m.node);
  const debian = [...new Set(tools.map((m) => m.debian).filter(Boolean))];
  const macos = [...new Set(tools.map((m) => m.macos).filter(Boolean))];
  lines.push('Install:');
  if (missing.some((m) => m.node)) lines.push(`  Node.js: ${platform === 'darwin' ? NODE_HINT.macos : NODE_HINT.debian}`);
  if (platform !== 'darwin' && debian.length) lines.push(`  Debian/Ubuntu: sudo apt-get install -y ${debian.join(' ')}`);
  if (platform !== 'linux' && macos.length) lines.push(`  macOS (Homebrew): brew install ${macos.join(' ')}`);
  if (platform !== 'linux' && tools.some((m) => ['git', 'curl', 'ssh-keygen'].includes(m.name))) {
    lines.push('  macOS: git, curl and ssh-keygen come with the Xcode command line tools (xcode-select --install)');
  }
  if (platform !== 'linux' && tools.some((m) => m.name === 'setsid')) {
    lines.push('  macOS: util-linux is keg-only: export PATH="$(brew --prefix util-linux)/bin:$PATH"');
  }
  lines.push('Then run "npm test" again (README.md, "Prerequisites").');
  return lines.join('\n');
}

function main() {
  const missing = findMissing({ nodeVersion: process.versions.node, path: process.env.PATH });
  if (missing.length === 0) return 0;
  process.stderr.write(`${formatMissing(missing, process.platform)}\n`);
  return 1;
}

module.exports = { NODE_RANGE, TOOLS, nodeSupported, which, findMissing, formatMissing };

if (require.main === module) process.exitCode = main();
