/** Every `ztc` command, in the order `ztc --help` lists them. */
import type { Command } from '../command';
import { renderCommand } from './render';
import { validateCommand } from './validate';

export const COMMANDS: Command[] = [renderCommand, validateCommand];
