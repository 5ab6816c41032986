// `node --import ./loaded-hook.mjs ...`: appends the URL of every module loaded (one a line) to the
// file named by $SKIFF_LOADED. The start-up test reads it to tell what a command loaded.
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  if (process.env.SKIFF_LOADED && url.startsWith('file:')) appendFileSync(process.env.SKIFF_LOADED, url + '\\n');
  return next(url, context);
}`));
