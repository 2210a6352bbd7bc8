/** Every `ztc` command, in the order `ztc --help` lists them. */
import type { Command } from '../command';
import { backupCommand } from './backup';
import { bootstrapCommand } from './bootstrap';
import { destroyCommand } from './destroy';
import { initCommand } from './init';
import { planCommand } from './plan';
import { renderCommand } from './render';
import { schemaCommand } from './schema';
import { validateCommand } from './validate';

export const COMMANDS: Command[] = [initCommand, renderCommand, validateCommand, bootstrapCommand, planCommand, backupCommand, destroyCommand, schemaCommand];
