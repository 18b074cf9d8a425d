export { LevelSet, type Measurement } from './level-set.js';
