/** The configuration a command runs with: the YAML file read and checked, then the environment applied. */
import { applyEnvironment, type EffectiveConfig, type Environment } from './env.js';
import { type ConfigProblem, loadConfigFile } from './load.js';

export interface LoadResult {
  effective: EffectiveConfig | null;
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
}

/** Reads the YAML file and applies the environment: what `check-config` reports and the worker runs with. */
export async function loadEffectiveConfig(file: string, env: Environment): Promise<LoadResult> {
  const loaded = await loadConfigFile(file);
  if (!loaded.config) return { effective: null, errors: loaded.errors, warnings: loaded.warnings };
  const applied = applyEnvironment(loaded.config, env);
  return { effective: applied.effective, errors: applied.errors, warnings: loaded.warnings };
}
