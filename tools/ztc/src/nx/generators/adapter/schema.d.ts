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
}
