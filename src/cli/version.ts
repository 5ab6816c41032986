// The version printed by --version: package.json's, inlined by the bundle (esbuild) and read by tsx.
import pkg from '../../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;
