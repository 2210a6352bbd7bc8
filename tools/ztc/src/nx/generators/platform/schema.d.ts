/** Options of the `platform` generator (schema.json). */
export interface PlatformGeneratorSchema {
  name: string;
  organization?: string;
  appName?: string;
  /** Answers file, relative to the workspace root. */
  answers?: string;
  /** `adapter.field=value` entries. */
  set?: string[];
}
