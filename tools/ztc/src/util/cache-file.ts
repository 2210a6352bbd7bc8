/**
 * Writing derived files (caches, render intermediates) atomically without fsync: lib/cache-file.js, the
 * one writer the start-up scripts share. Users' own files go through atomic-write.ts, which syncs.
 */
export const { writeAtomic, writeCacheFile } = require('../../lib/cache-file.js') as {
  writeAtomic: (file: string, data: string | Buffer) => void;
  writeCacheFile: (file: string, data: string | Buffer) => boolean;
};
