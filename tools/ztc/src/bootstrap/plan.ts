/**
 * `planBootstrap`: what bootstrap would run and what is already done, read from pipeline.yaml and the
 * receipts alone (no scripts, no secrets needed, nothing written). `ztc plan` prints it; the Nx layer
 * can show it too.
 */
import type { Stage } from '../constants';
import { readPipeline } from './pipeline-file';
import { stepStatus, type StepStatus } from './receipts';
import { PREFLIGHT, stateArea } from './state-area';

export interface PlanEntry {
  step: string;
  stage: Stage | typeof PREFLIGHT;
  adapter: string;
  description: string;
  /** Workspace-relative script path. */
  script: string;
  timeout_seconds: number;
  /** Names only; values never leave the environment. */
  secret_env: string[];
  required: boolean;
  status: StepStatus;
}

export function planBootstrap(workspaceRoot: string, platform: string): PlanEntry[] {
  const pipeline = readPipeline(workspaceRoot, platform);
  const area = stateArea(workspaceRoot, platform);
  const entry = (stage: PlanEntry['stage'], s: (typeof pipeline.preflight)[number], status: StepStatus): PlanEntry => ({
    step: s.id,
    stage,
    adapter: s.adapter,
    description: s.description,
    script: s.script,
    timeout_seconds: s.timeout_seconds,
    secret_env: [...s.secret_env],
    required: s.required,
    status,
  });
  return [
    ...pipeline.preflight.map((s) => entry(PREFLIGHT, s, 'always')),
    ...pipeline.stages.flatMap((stage) => stage.steps.map((s) => entry(stage.name, s, stepStatus(area, stage.name, s)))),
  ];
}
