/** The configuration a command runs with: the YAML file read and checked, then the environment applied. */
import {
  applyEnvironment,
  type EffectiveConfig,
  type Environment,
  type EnvironmentOptions,
  type EnvironmentProblem,
} from './env.js';
import { byLine, type ConfigProblem, type LoadedConfig, loadConfigFile } from './load.js';

export interface LoadResult {
  effective: EffectiveConfig | null;
  /** Every problem of the file and of the environment, by line. */
  errors: ConfigProblem[];
  warnings: ConfigProblem[];
  /**
   * Destinations whose secret is not available here: errors, or offline resolved with a
   * placeholder for the secret they need at run time.
   */
  withoutSecret: string[];
}

/**
 * Reads the YAML file and applies the environment: what `check-config` reports and the worker runs
 * with. The environment is checked even when the file has errors (on what passed the schema), so
 * one run reports everything.
 */
export async function loadEffectiveConfig(
  file: string,
  env: Environment,
  options: EnvironmentOptions = {},
): Promise<LoadResult> {
  const loaded = await loadConfigFile(file);
  const checked = loaded.config ?? loaded.partial;
  if (!checked)
    return { effective: null, errors: loaded.errors, warnings: loaded.warnings, withoutSecret: [] };
  const applied = applyEnvironment(checked, env, undefined, options);
  // A destination the file's rules already reject (e.g. no secret named) is not reported twice.
  const filed = new Set(loaded.errors.map((error) => error.path));
  const environmentErrors = applied.errors
    .map((problem) => inFile(problem, loaded, file))
    .filter((problem) => problem.file !== file || !filed.has(problem.path));
  const errors = byLine([...loaded.errors, ...environmentErrors]);
  return {
    effective: errors.length === 0 ? applied.effective : null,
    errors,
    warnings: byLine([
      ...loaded.warnings,
      ...applied.warnings.map((problem) => inFile(problem, loaded, file)),
    ]),
    withoutSecret: applied.withoutSecret,
  };
}

/** A destination's secret problem, filed under its key in the config file. */
function inFile(problem: EnvironmentProblem, loaded: LoadedConfig, file: string): ConfigProblem {
  const { key, ...rest } = problem;
  return key ? { file, ...loaded.locate(key), message: problem.message } : rest;
}
