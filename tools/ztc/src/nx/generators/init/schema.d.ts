/** Options of the `init` generator (schema.json). */
export interface InitGeneratorSchema {
  adaptersRoot?: string;
  platformsRoot?: string;
  capabilitiesRoot?: string;
  targetPrefix?: string;
  keepExistingVersions?: boolean;
}
