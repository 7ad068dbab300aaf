import { build } from 'vite';
import { WEB_DIR } from './gateway-stand-in.ts';

/**
 * Builds the UI into packages/web/dist with the project's own Vite config, as
 * `npm run build -w @nationpulse/web` does. Vitest runs with NODE_ENV=test, which would make
 * Vite bundle React's development build: the production build is forced for the duration.
 */
export const buildUi = async (): Promise<void> => {
  const previous = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ root: WEB_DIR, configFile: `${WEB_DIR}/vite.config.ts`, mode: 'production', logLevel: 'warn' });
  } finally {
    if (previous === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = previous;
  }
};
