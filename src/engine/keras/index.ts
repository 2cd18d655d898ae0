/**
 * The Keras subset: layers (Dense, Sequential), activations, initializers, losses, optimizers.
 * Importing it registers BiasAdd, BiasAddGrad and DivNoNan.
 */
import './ops';

export { Layer, Dense, pythonShape, type LayerOptions, type DenseOptions, type AddWeightOptions } from './layers';
export { Sequential } from './sequential';
export * as activations from './activations';
export * as initializers from './initializers';
export * as losses from './losses';
export * as optimizers from './optimizers';
export { uniqueName } from './names';
export type { Activation, ActivationIdentifier } from './activations';
export type { Initializer, InitializerIdentifier } from './initializers';
