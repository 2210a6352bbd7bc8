/**
 * The `platform:` metadata init asks for, typed by the platform.yaml schema itself
 * (schemas/platform.schema.json), with the question text init shows. Both are required by init (the
 * secrets file is filed under them), although render accepts a platform.yaml without them.
 */
import platformSchema from '../../schemas/platform.schema.json';
import type { FieldSpec, JsonSchema } from './fields';

const props = platformSchema.properties.platform.properties as Record<string, JsonSchema>;

export const PLATFORM_FIELDS: FieldSpec[] = [
  { name: 'organization', schema: props.organization!, required: true, secret: false, prompt: 'Organization (GitHub organization or user)', kind: 'string' },
  { name: 'app_name', schema: props.app_name!, required: true, secret: false, prompt: 'Application name (lowercase letters, digits, hyphens)', kind: 'string' },
];

/** A schema that validates the `platform:` mapping init writes. */
export const PLATFORM_META_SCHEMA: JsonSchema = {
  type: 'object',
  required: PLATFORM_FIELDS.map((f) => f.name),
  properties: Object.fromEntries(PLATFORM_FIELDS.map((f) => [f.name, f.schema])),
};
