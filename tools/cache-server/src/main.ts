/** `ztc-cache-server` / `npm run cache-server`: start the remote cache and stop cleanly on SIGINT/SIGTERM. */
import { ConfigUsageError, loadConfig } from './config';
import { createCacheServer } from './server';

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config;
  try {
    config = loadConfig(argv, env);
  } catch (e) {
    if (!(e instanceof ConfigUsageError)) throw e;
    const help = argv.includes('--help') || argv.includes('-h');
    (help ? process.stdout : process.stderr).write(`${e.message}\n`);
    return help ? 0 : 64;
  }
  const cache = createCacheServer(config, (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`));
  const url = await cache.listen();
  process.stdout.write(
    `ztc-cache-server listening on ${url} (entries in ${config.dir}, max ${config.maxBodyBytes} bytes, ` +
      `${config.readWriteTokens.length} read-write / ${config.readOnlyTokens.length} read-only tokens)\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await cache.close();
  return 0;
}
