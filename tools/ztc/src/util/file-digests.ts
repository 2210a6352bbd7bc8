/**
 * sha256 of files, each read once for the digests that want it. One render hashes an adapter's files
 * for its render-memo key, its lock.json source_hash and its pipeline steps; a FileDigests shared by
 * them (one per render) reads each file once. Files are assumed not to change while it is in use.
 */
import { readFileSync } from 'node:fs';
import { sha256 } from './hash';

export class FileDigests {
  private readonly known = new Map<string, string>();

  /** sha256 (hex) of the file at `absPath`; throws as readFileSync does. */
  of(absPath: string): string {
    let digest = this.known.get(absPath);
    if (digest === undefined) {
      digest = sha256(readFileSync(absPath));
      this.known.set(absPath, digest);
    }
    return digest;
  }
}
