import './util/polyfill.js';
import { USAGE, packageVersion, parseArgs } from './cli.js';
import { loadConfig } from './config/load.js';
import { ConfigError, errorMessage } from './errors.js';
import { createLogger } from './log.js';
import { App } from './app.js';
import { createCatalog } from './catalog/open-catalog.js';
import { parseCallbacksArgs, runCallbacksCommand } from './notify/callback-cli.js';

/** argv → config → app → listen; SIGINT/SIGTERM → close. */
async function main(): Promise<number> {
  const command = parseArgs(process.argv.slice(2));
  switch (command.kind) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'version':
      process.stdout.write(`${packageVersion()}\n`);
      return 0;
    case 'error':
      process.stderr.write(`livesnap: ${command.message}\n\n${USAGE}`);
      return 2;
    case 'serve':
    case 'callbacks':
      break;
  }

  let config;
  try {
    config = loadConfig({ file: command.configFile });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`livesnap: invalid configuration: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  if (command.kind === 'callbacks') {
    const catalog = createCatalog(config);
    await catalog.start();
    try {
      return await runCallbacksCommand(parseCallbacksArgs(command.args), catalog, (text) =>
        process.stdout.write(text),
      );
    } finally {
      await catalog.close();
    }
  }

  const logger = createLogger(config.logLevel);
  const app = new App(config, logger);
  try {
    await app.start();
  } catch (err) {
    logger.fatal({ err: errorMessage(err) }, 'startup failed');
    await app.close().catch(() => {});
    return 1;
  }

  return await new Promise<number>((resolve) => {
    let closing = false;
    const stop = (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => {
        logger.error('shutdown took longer than 10 s, exiting');
        resolve(1);
      }, 10_000);
      force.unref();
      app.close().then(
        () => {
          clearTimeout(force);
          logger.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err: errorMessage(err) }, 'error while shutting down');
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `livesnap: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
