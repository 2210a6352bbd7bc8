/**
 * A bootstrap must stop when whatever started it stops. A signal sent to `npx ztc bootstrap`, `npm run …`,
 * `npx nx run <p>:bootstrap` or a wrapper script reaches that launcher, not ztc: npm forwards it to a
 * `sh -c` that dies of it, and ztc, orphaned, would go on running steps. So ztc watches its launchers:
 * the chain of its ancestors, from its parent up to (not including) the first interactive session
 * leader (the shell of a terminal: closing the terminal is what `nohup`/`setsid` protect against, and
 * that protection is kept), pid 1, or an ancestor it cannot read. Session leaders without a terminal
 * are passed through: Nx starts each task in a session of its own, and nx's own launcher must count.
 * When any watched ancestor is gone (by pid and start time; a zombie counts as gone), the run is
 * aborted like on SIGTERM. Without /proc (macOS) only the parent is watched, by a change of ppid.
 */
import { isSameProcessAlive, processCommandLine, processStat } from '../util/process-identity';

export interface Launcher {
  pid: number;
  /** Start time, as in /proc (see processStartTime). */
  started: string;
  /** Its command line, for messages (`npm exec ztc bootstrap`). */
  command: string;
}

/** How often the launchers are checked. */
export const LAUNCHER_POLL_MS = 250;

/** The ancestors to watch, nearest first (see the module comment). */
export function launcherChain(from: number = process.ppid): Launcher[] {
  const chain: Launcher[] = [];
  for (let pid = from; pid > 1 && chain.length < 64;) {
    const s = processStat(pid);
    if (!s || (s.session === pid && s.tty !== 0)) break;
    chain.push({ pid, started: s.started, command: processCommandLine(pid) });
    pid = s.ppid;
  }
  return chain;
}

/** The first watched launcher that is gone, if any. */
export function goneLauncher(chain: readonly Launcher[]): Launcher | undefined {
  return chain.find((l) => !isSameProcessAlive(l.pid, l.started));
}

/**
 * Call `onGone` (once) when a launcher of this process ends; returns the function that stops watching.
 * The timer does not keep the process alive.
 */
export function watchLaunchers(onGone: (launcher: Launcher) => void): () => void {
  const chain = launcherChain();
  const parent = process.ppid;
  const check = (): void => {
    const gone = chain.length > 0 ? goneLauncher(chain) : process.ppid !== parent ? { pid: parent, started: '', command: 'parent process' } : undefined;
    if (gone) {
      clearInterval(timer);
      onGone(gone);
    }
  };
  const timer = setInterval(check, LAUNCHER_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
