import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCHEMA_FILE } from '../../init/platform-document';
import { readPlatform } from '../../platform/read-platform';
import { resolve } from '../../resolve/resolver';
import { platformJsonSchema, serializeSchema } from '../../schema/platform-schema';
import { writeFileAtomic } from '../../util/atomic-write';
import { platformPath } from '../../workspace/workspace';
import { pickPlatform, type Command } from '../command';

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'Write platforms/<platform>/platform.schema.json: the JSON Schema of its platform.yaml, for editors',
  usage: 'ztc schema [platform] [--stdout]',
  optionHelp: ['--stdout  print the schema instead of writing the file'],
  options: { stdout: { type: 'boolean' } },
  maxPositionals: 1,
  async run({ positionals, values, workspaceRoot, io }) {
    const platform = pickPlatform(workspaceRoot, positionals[0]);
    const loaded = readPlatform(workspaceRoot, platform);
    const order = resolve(loaded.adapters, { file: loaded.file }).order;
    const text = serializeSchema(
      platformJsonSchema(
        platform,
        order.map((a) => loaded.adapters.get(a)!),
      ),
    );
    if (values.stdout === true) {
      io.out(text.trimEnd());
      return 0;
    }
    const rel = `${platformPath(workspaceRoot, platform)}/${SCHEMA_FILE}`;
    const abs = join(workspaceRoot, rel);
    if (existsSync(abs) && readFileSync(abs, 'utf8') === text) io.out(`${rel}: up to date`);
    else {
      writeFileAtomic(abs, text);
      io.out(`wrote ${rel} (editors: put "# yaml-language-server: $schema=./${SCHEMA_FILE}" on the first line of platform.yaml; ztc init does)`);
    }
    return 0;
  },
};
