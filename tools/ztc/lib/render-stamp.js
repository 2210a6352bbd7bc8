'use strict';
/**
 * The up-to-date stamp of `ztc render [platform]`: after a render, the engine records every file and
 * folder the render read or wrote (render/render-stamp.ts), each with its signature from stat (size,
 * mtime, ctime and inode, to the nanosecond; every write, rename or delete changes at least one). The
 * next `ztc render` with the same platform from the same folder checks those signatures and, when none
 * changed, prints what the last render printed without loading the engine: a no-op render then costs
 * Node's start plus ~150 stat calls. Anything else (a changed signature, another engine build or Node
 * version, another command line) runs the engine as usual, which writes a new stamp. This is the
 * technique of make, ninja and git's index; like them it trusts the file system's timestamps.
 *
 * A stamp is only used once every signature in it provably describes what the render read (see
 * render-stamp.ts, "verified"), so an edit made during a render is never mistaken for rendered.
 * Stamps live in `<cache>/ztc-render-stamp/` (safe to delete). Plain JavaScript, shared by the bin
 * (reading) and the engine (writing), so both compute signatures the same way.
 */
const fs = require('node:fs');
const path = require('node:path');
const { cacheRoot } = require('./cache-root.js');
const { nameHash } = require('./name-hash.js');
const { writeCacheFile } = require('./cache-file.js');

/** Bump when what a stamp holds or how signatures are made changes. */
const FORMAT = 'ztc-render-stamp-1';
const STAMP_DIR = path.join(cacheRoot, 'ztc-render-stamp');

/**
 * Signature of a path: `absent`, `d:<mtime>:<ctime>:<ino>` for a folder (its mtime changes when an entry
 * is added, removed or renamed), `f:<size>:<mtime>:<ctime>:<ino>` for anything else (stat follows links).
 */
function signature(file) {
  let st;
  try {
    st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  } catch (e) {
    return e.code === 'ENOTDIR' ? 'absent' : 'unreadable'; // below a file: absent as surely
  }
  if (st === undefined) return 'absent';
  const times = `${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  return st.isDirectory() ? `d:${times}` : `f:${st.size}:${times}`;
}

/**
 * The stamp file of `ztc render <platform>` (`platform` null: `ztc render` alone) run in `cwd` (the
 * workspace is found from there) on this Node.
 */
function stampFile(cwd, platform) {
  return path.join(STAMP_DIR, `${nameHash(JSON.stringify([cwd, platform, process.version]))}.json`);
}

/** The stamp of `ztc render <platform>` in `cwd`, if one was written (verified or not). */
function readStamp(cwd, platform) {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile(cwd, platform), 'utf8'));
    const ours = stamp && stamp.format === FORMAT && stamp.cwd === cwd && stamp.platform === platform && Array.isArray(stamp.entries);
    return ours ? stamp : undefined;
  } catch {
    return undefined;
  }
}

function writeStamp(cwd, platform, stamp) {
  writeCacheFile(stampFile(cwd, platform), JSON.stringify({ format: FORMAT, cwd, platform, ...stamp }));
}

/**
 * What `ztc <argv>` run in `cwd` would print, when it is a render whose stamp still holds; else
 * undefined (run the engine). `bundleName()` names the engine build that is current now (dist/build.json's
 * id); it is only asked for a render.
 */
function upToDate(argv, cwd, bundleName) {
  if (argv[0] !== 'render' || argv.length > 2 || argv[1]?.startsWith('-')) return undefined;
  const stamp = readStamp(cwd, argv[1] ?? null);
  if (!stamp || stamp.verified !== true || stamp.node !== process.version) return undefined;
  const bundle = bundleName();
  if (bundle === undefined || stamp.bundle !== bundle) return undefined;
  for (const [file, sig] of stamp.entries) if (signature(file) !== sig) return undefined;
  return stamp.message;
}

module.exports = { signature, readStamp, writeStamp, upToDate };
