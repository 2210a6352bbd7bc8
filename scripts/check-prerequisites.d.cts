/** Types of check-prerequisites.cjs (plain JS, so that `npm test` can run it before anything is transpiled). */
export interface Requirement {
  name: string;
  why: string;
  /** Debian/Ubuntu package, or null when there is none to name. */
  debian: string | null;
  /** Homebrew formula, or null when macOS ships it. */
  macos: string | null;
  node?: true;
}
export declare const NODE_RANGE: string;
export declare const TOOLS: Requirement[];
export declare function nodeSupported(version: string): boolean;
export declare function which(name: string, path: string | undefined): string | undefined;
export declare function findMissing(env: { nodeVersion: string; path: string | undefined; bashMajor?: (file: string) => number }): Requirement[];
export declare function formatMissing(missing: Requirement[], platform: string): string;
