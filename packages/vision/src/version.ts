import { createRequire } from 'node:module';

/** The version in this package's package.json, so that the plugin reports what is installed. */
export const PACKAGE_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
