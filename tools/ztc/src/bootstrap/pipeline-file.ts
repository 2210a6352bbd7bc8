/**
 * Reading the rendered `platforms/<p>/pipeline.yaml`, the only input of bootstrap: it runs exactly what
 * render wrote and a human reviewed. Shape problems (a hand-edited file) are ConfigErrors pointing at
 * render; whether the file is *current* is validate's job (see preconditions).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PIPELINE_FILE, STAGES, type Stage } from '../constants';
import { platformPath } from '../workspace/workspace';
import { ConfigError } from '../errors';
import type { Pipeline, PipelineStep } from '../render/pipeline';
import { readYamlFile } from '../util/yaml';

export function readPipeline(workspaceRoot: string, platform: string): Pipeline {
  const file = `${platformPath(workspaceRoot, platform)}/${PIPELINE_FILE}`;
  const hint = `run "ztc render ${platform}" first`;
  if (!existsSync(join(workspaceRoot, file))) {
    throw ConfigError.one({ file, path: '', message: 'pipeline.yaml is missing: the platform has not been rendered', hint });
  }
  const { value } = readYamlFile(join(workspaceRoot, file), file);
  const p = value as Partial<Pipeline> | null;
  const stagesOk =
    Array.isArray(p?.stages) && p.stages.length === STAGES.length && p.stages.every((s, i) => s?.name === STAGES[i] && Array.isArray(s.steps) && s.steps.every(isStep));
  const listOk = (l: unknown) => l === undefined || (Array.isArray(l) && l.every(isStep));
  if (!p || p.version !== 1 || !stagesOk || !Array.isArray(p.preflight) || !p.preflight.every(isStep) || !Array.isArray(p.tools) || !listOk(p.teardown) || !listOk(p.backup)) {
    throw ConfigError.one({ file, path: '', message: 'not a pipeline.yaml written by this version of ztc render', hint });
  }
  // A pipeline.yaml rendered before teardown and backup existed has neither: nothing to run for them.
  return { ...p, teardown: p.teardown ?? [], backup: p.backup ?? [] } as Pipeline;
}

function isStep(s: unknown): s is PipelineStep {
  const step = s as PipelineStep;
  return (
    !!step &&
    typeof step.id === 'string' &&
    typeof step.adapter === 'string' &&
    typeof step.script === 'string' &&
    typeof step.sha256 === 'string' &&
    typeof step.files_sha256 === 'string' &&
    typeof step.libs === 'object' &&
    step.libs !== null &&
    typeof step.timeout_seconds === 'number' &&
    Array.isArray(step.secret_env) &&
    typeof step.context === 'object'
  );
}

/** The stages a run covers: all four, or the one named. */
export function selectStages(pipeline: Pipeline, stage?: Stage): Pipeline['stages'] {
  return stage ? pipeline.stages.filter((s) => s.name === stage) : pipeline.stages;
}

/** Every secret env var name declared anywhere in the pipeline (preflight included). */
export function allSecretNames(pipeline: Pipeline): Set<string> {
  const names = new Set<string>();
  for (const step of [...pipeline.preflight, ...pipeline.stages.flatMap((s) => s.steps), ...pipeline.teardown, ...pipeline.backup]) for (const n of step.secret_env) names.add(n);
  return names;
}
