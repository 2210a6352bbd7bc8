/** Options of the `lint` executor; kept in step with schema.json by executor.spec.ts. */
export interface LintExecutorSchema {
  /** Adapter name (folder under adapters/). */
  adapter: string;
}
