/** Options of the `render` executor; kept in step with schema.json by executor.spec.ts. */
export interface RenderExecutorSchema {
  /** Platform name (folder under platforms/). */
  platform: string;
  /** config: split platform.yaml; adapter: render one adapter; assemble: write the platform's files. */
  step: 'config' | 'adapter' | 'assemble';
  /** Adapter to render (step "adapter" only). */
  adapter?: string;
}
