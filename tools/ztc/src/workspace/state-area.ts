/**
 * The per-platform state area `platforms/<p>/.ztc/` (gitignored): `state/` is ZTC_STATE_DIR (non-secret
 * values scripts produce, e.g. an Age public key), `receipts/<stage>/` records finished steps (the Nx
 * stage targets cache exactly these two), `logs/<stage>/` keeps each step's masked log. All paths of
 * the area are computed here, so the CLI, the Nx layer and the tests agree on them.
 */
import { join } from 'node:path';
import { GENERATED_DIR } from '../constants';
import { platformPath } from './workspace';

export const STATE_AREA_DIR = '.ztc';
/** Pseudo-stage of the check_health steps (logs only; they leave no receipt). */
export const PREFLIGHT = 'preflight';

export interface StateArea {
  /** Absolute workspace root. */
  workspaceRoot: string;
  platform: string;
  /** Workspace-relative `platforms/<p>/.ztc`. */
  root: string;
  /** Absolute ZTC_STATE_DIR. */
  stateDir: string;
  /** Absolute ZTC_GENERATED_DIR. */
  generatedDir: string;
  /** Workspace-relative receipt folder of a stage. */
  receiptsDir(stage: string): string;
  /** Workspace-relative receipt file of a step. */
  receiptFile(stage: string, stepId: string): string;
  /** Workspace-relative log file of a step. */
  logFile(stage: string, stepId: string): string;
  /** Workspace-relative file that marks a running bootstrap of this platform. */
  runLockFile: string;
  /** Absolute path of a workspace-relative path. */
  abs(rel: string): string;
}

/** `talos/apply-config` → `talos.apply-config` (adapter names hold no dot, so this is unambiguous). */
export function stepFileStem(stepId: string): string {
  return stepId.replace('/', '.');
}

export function stateArea(workspaceRoot: string, platform: string): StateArea {
  const base = platformPath(workspaceRoot, platform);
  const root = `${base}/${STATE_AREA_DIR}`;
  return {
    workspaceRoot,
    platform,
    root,
    stateDir: join(workspaceRoot, root, 'state'),
    generatedDir: join(workspaceRoot, base, GENERATED_DIR),
    receiptsDir: (stage) => `${root}/receipts/${stage}`,
    receiptFile: (stage, stepId) => `${root}/receipts/${stage}/${stepFileStem(stepId)}.json`,
    logFile: (stage, stepId) => `${root}/logs/${stage}/${stepFileStem(stepId)}.log`,
    runLockFile: `${root}/run.lock`,
    abs: (rel) => join(workspaceRoot, rel),
  };
}
