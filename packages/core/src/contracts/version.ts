/**
 * Version of the plugin contracts in this folder. A plugin states the version it was written against;
 * the registry refuses a plugin whose major version differs. Breaking a contract bumps this and is a
 * major changeset of @nextx/core.
 */
export const CONTRACT_VERSION = 2;
