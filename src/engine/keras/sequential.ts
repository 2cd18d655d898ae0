/**
 * keras.Sequential: layers applied in order; its variables are its layers' variables in layer
 * order. Calls run inside the model's scope, so the trace groups ops as `sequential/dense`.
 */
import { TFError } from '../errors';
import type { Tensor } from '../tensor';
import { Layer, type LayerOptions } from './layers';

export class Sequential extends Layer {
  readonly layers: Layer[] = [];

  constructor(layers: Layer[] = [], options: LayerOptions = {}) {
    super(options, 'Sequential');
    for (const layer of layers) this.add(layer);
  }

  add(layer: Layer): void {
    if (!(layer instanceof Layer)) {
      throw new TFError('ValueError', `Only instances of \`keras.Layer\` can be added to a Sequential model. Received: ${String(layer)} (of type ${typeof layer})`);
    }
    this.layers.push(layer);
    this.built = false;
  }

  /** Removes the last layer (keras.Sequential.pop). */
  pop(): Layer {
    const layer = this.layers.pop();
    if (!layer) throw new TFError('IndexError', 'pop from empty list');
    return layer;
  }

  override build(inputShape: readonly (number | null)[]): void {
    void inputShape;
    this.built = true;
  }

  protected override call(inputs: Tensor): Tensor {
    let x = inputs;
    for (const layer of this.layers) x = layer.apply(x);
    return x;
  }
}
