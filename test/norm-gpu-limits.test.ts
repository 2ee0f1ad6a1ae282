// The WebGPU backend's up-front binding checks count layer norm's γ/β (2·units floats a layer) and
// their copy with the optimizer slots, before anything is allocated (src/gpu/limits.ts).
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/core/config';
import { checkNetworkFits, checkOptimizerFits } from '../src/gpu/limits';

// 1 → 300n → 1: weights and biases of 300 floats (1200 bytes) a buffer, γ/β 600 floats (2400 bytes)
const net = resolveConfig({ inputSize: 1, layers: [{ units: 300, activation: 'tanh', norm: 'layer' }, { units: 1, activation: 'linear' }], loss: 'mse' });
const plain = resolveConfig({ inputSize: 1, layers: [{ units: 300, activation: 'tanh' }, { units: 1, activation: 'linear' }], loss: 'mse' });
const device = { limits: { maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 1 << 30 } };

describe('binding limits with layer norm', () => {
  it('refuses γ/β that exceed one binding, naming the layer and the bytes; the same net without norm fits', () => {
    expect(() => checkNetworkFits(device, plain, 2000)).not.toThrow();
    expect(() => checkNetworkFits(device, net, 2000)).toThrow(/^norm scale and shift of layer 0 needs a 2400-byte GPU buffer \(600 float32 values\), more than this device's maxStorageBufferBindingSize of 2000 bytes$/);
    expect(() => checkNetworkFits(device, net, 2400)).not.toThrow();
  });

  it("refuses the before-the-last-step copy of γ/β with Adam's two slots (3 × 2400 bytes) past the limit", () => {
    expect(() => checkOptimizerFits(device, plain, 2, 5000)).not.toThrow();
    expect(() => checkOptimizerFits(device, net, 2, 5000)).toThrow(/^copy of γ\/β and 2 optimizer slots kept from before the last update, for layer 0 needs a 7200-byte GPU buffer/);
    expect(() => checkOptimizerFits(device, net, 0, 5000)).not.toThrow();
  });
});
