/** What src/engine/index.ts re-exports: `keras`, `random` (tf.random) and `Module` (tf.Module). */
export * as keras from './index';
export * as random from '../random';
export { Module } from '../module';
