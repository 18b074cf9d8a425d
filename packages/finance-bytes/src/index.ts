export { plugin } from './plugin.js';
export { plugin as default } from './plugin.js';
