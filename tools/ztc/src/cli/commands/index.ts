/** Every `ztc` command, in the order `ztc --help` lists them. */
import type { Command } from '../command';
import { bootstrapCommand } from './bootstrap';
import { planCommand } from './plan';
import { renderCommand } from './render';
import { validateCommand } from './validate';

export const COMMANDS: Command[] = [renderCommand, validateCommand, bootstrapCommand, planCommand];
