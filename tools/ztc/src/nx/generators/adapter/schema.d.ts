/** Options of the `adapter` generator (schema.json). */
export interface AdapterGeneratorSchema {
  name: string;
  description?: string;
  provides?: string;
  /** Comma-separated capability names. */
  requires?: string;
  selectionGroup?: string;
  /** Comma-separated stages. @default "bootstrap,validation" */
  stages?: string;
  /** An installed adapter package to copy into the workspace instead of a scaffold (e.g. @ztc/adapter-talos). */
  from?: string;
}
