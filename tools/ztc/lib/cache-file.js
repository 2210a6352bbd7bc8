'use strict';
/**
 * Writing one file of ZTC's caches (bundles, transpiled modules, validators, content caches, render
 * stamps): a sibling temp file renamed over the target, so a reader sees the old bytes or the new ones,
 * never a partial file. No fsync: a cache file lost in a crash is made again. (Files of the user's,
 * such as platform.yaml, go through src/util/atomic-write.ts, which syncs.)
 */
const fs = require('node:fs');
const path = require('node:path');

/** Write `data` to `file` (folders made as needed); throws what the file system throws. */
function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** writeAtomic for a cache: false instead of an error (an unwritable cache only costs speed). */
function writeCacheFile(file, data) {
  try {
    writeAtomic(file, data);
    return true;
  } catch {
    return false;
  }
}

module.exports = { writeAtomic, writeCacheFile };
