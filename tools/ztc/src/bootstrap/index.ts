/**
 * The bootstrap engine's public API, shared by the `ztc bootstrap` / `ztc plan` commands and the Nx
 * stage targets: run (or dry-run) the pipeline, plan it, print its events, and handle signals.
 */
export { runBootstrap, type BootstrapOptions, type BootstrapResult } from './run-bootstrap';
export { planBootstrap, type PlanEntry } from './plan';
export { createReporter, describeEvent, type BootstrapEvent, type EventSink, type RunOutcome } from './events';
export { withTerminationSignals, exitCodeForAbort } from './signals';
export { stateArea, PREFLIGHT, STATE_AREA_DIR, type StateArea } from '../workspace/state-area';
export type { StepStatus } from './receipts';
export { runDestroy, runBackup, TEARDOWN, BACKUP, type OpsOptions, type DestroyOptions } from './run-ops';
