// The CPU path's newer activations, forward and derivative, against PyTorch 1.13's modules in
// float64 (values printed by Debian python3-torch: nn.LeakyReLU(), ELU(), SELU(), GELU(),
// GELU(approximate='tanh'), SiLU(), Softplus(), Mish() and autograd), from −80 to 80.
import { describe, expect, it } from 'vitest';
import { activate, activationDerivative } from '../src/cpu/activations';
import { erfc } from '../src/cpu/activation-functions';
import type { Activation } from '../src/core/types';

const z = [-80, -7.5, -1.3, -0.2, 0, 0.45, 1.7, 6.1, 80];
const torch: Partial<Record<Activation, { f: number[]; d: number[] }>> = {
  leakyRelu: { f: [-0.8, -0.075, -0.013000000000000001, -0.002, 0.0, 0.45, 1.7, 6.1, 80.0], d: [0.01, 0.01, 0.01, 0.01, 0.01, 1.0, 1.0, 1.0, 1.0] },
  elu: { f: [-1.0, -0.9994469156298522, -0.7274682069659875, -0.18126924692201818, 0.0, 0.45, 1.7, 6.1, 80.0], d: [1.804851387845415e-35, 0.0005530843701478336, 0.2725317930340126, 0.8187307530779818, 1.0, 1.0, 1.0, 1.0, 1.0] },
  selu: { f: [-1.7580993408473766, -1.757126963580787, -1.2789613751543256, -0.3186893435295005, 0.0, 0.4728154443099662, 1.7861916785043168, 6.40927602286843, 84.05607898843843], d: [3.173108035298497e-35, 0.0009723772665898928, 0.4791379656930512, 1.439409997317876, 1.7580993408473766, 1.0507009873554805, 1.0507009873554805, 1.0507009873554805, 1.0507009873554805] },
  gelu: { f: [-0.0, -2.393918396847994e-13, -0.1258406299612934, -0.0841480581121794, 0.0, 0.303140150870436, 1.6242387133104768, 6.099999996764912, 80.0], d: [0.0, -1.793821487813784e-12, -0.12597868507653925, 0.3425317517658058, 0.5, 0.8358819128198216, 1.1153179687821648, 1.0000000197087515, 1.0] },
  geluTanh: { f: [-0.0, -0.0, -0.1260709876826906, -0.08414857021789374, 0.0, 0.30312845638588476, 1.624105895551156, 6.099999999966587, 80.0], d: [0.0, 0.0, -0.12587806978401672, 0.3425418508043005, 0.5, 0.8357855571734826, 1.115914631452605, 1.0000000003139826, 1.0] },
  silu: { f: [-1.4438811102763322e-33, -0.004145839776926997, -0.2784145220446738, -0.09003320053750444, 0.0, 0.27478765527714993, 1.437409049357991, 6.086349124020214, 80.0], d: [-1.425832596397878e-33, -0.0035907694083426034, -0.004622854252336919, 0.40066268814515016, 0.5, 0.7176307659092303, 1.067564504759019, 1.011382478865884, 1.0] },
  softplus: { f: [1.804851387845415e-35, 0.0005529314753607964, 0.2410084538329922, 0.5981388693815918, 0.6931471805599453, 0.9432489459974548, 1.8677860293862658, 6.102240356246249, 80.0], d: [1.804851387845415e-35, 0.0005527786369235996, 0.2141650169574414, 0.4501660026875221, 0.5, 0.6106392339492219, 0.8455347349164652, 0.9977621514787237, 1.0] },
  mish: { f: [-1.443881110276332e-33, -0.0041469856425822285, -0.3073824647494959, -0.1071447808683571, 0.0, 0.33152013586791973, 1.6207680739755406, 6.09993890312072, 80.0], d: [-1.425832596397878e-33, -0.0035929070903953616, -0.02640096215980155, 0.4715302415134094, 0.6, 0.8623597979004617, 1.0842573159450626, 1.0001119038150186, 1.0] },
};

/** |got − want| ≤ 1e-13 · max(1, |want|), element by element, naming the input on failure. */
function expectClose(what: string, got: ArrayLike<number>, want: number[], at: ArrayLike<number> = z) {
  want.forEach((w, i) => {
    expect(Number.isFinite(got[i]), `${what} at z = ${at[i]}: ${got[i]}`).toBe(true);
    expect(Math.abs(got[i] - w), `${what} at z = ${at[i]}: got ${got[i]}, PyTorch ${w}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(w)));
  });
}

describe('CPU activations against PyTorch (float64), z from −80 to 80', () => {
  for (const [name, ref] of Object.entries(torch) as [Activation, { f: number[]; d: number[] }][]) {
    it(`${name}: forward`, () => expectClose(`${name}(z)`, activate(name, Float64Array.from(z), 1, z.length), ref.f));
    it(`${name}: derivative`, () => {
      const a = activate(name, Float64Array.from(z), 1, z.length);
      expectClose(`${name}'(z)`, activationDerivative(name, a, z), ref.d);
    });
  }

  it('leakyRelu and elu take alpha; a negative leakyRelu slope needs z', () => {
    const zs = Float64Array.from([-2, -0.5, 0.5, 3]);
    expectClose('leakyRelu α = 0.2', activate({ activation: 'leakyRelu', alpha: 0.2 }, zs, 1, 4), [-0.4, -0.1, 0.5, 3], zs);
    const elu = activate({ activation: 'elu', alpha: 2 }, zs, 1, 4);
    expect(elu[0]).toBeCloseTo(2 * Math.expm1(-2), 14);
    expect(activationDerivative({ activation: 'elu', alpha: 2 }, elu)[1]).toBeCloseTo(2 * Math.exp(-0.5), 14);
    const neg = { activation: 'leakyRelu', alpha: -0.5 } as const;
    expect(() => activationDerivative(neg, activate(neg, zs, 1, 4))).toThrow(/needs the pre-activation z/);
    expect(Array.from(activationDerivative(neg, activate(neg, zs, 1, 4), zs))).toEqual([-0.5, -0.5, 1, 1]);
  });

  it('erfc matches math.erfc to 1e-14 relative at a few points', () => {
    // CPython 3.11 math.erfc
    const want: [number, number][] = [[-1.5, 1.9661051464753108], [0.3, 0.6713732405408726], [1, 0.15729920705028513], [2.5, 0.0004069520174449589], [6, 2.1519736712498916e-17]];
    for (const [x, w] of want) expect(Math.abs(erfc(x) - w) / w, `erfc(${x}) = ${erfc(x)}, want ${w}`).toBeLessThan(1e-14);
  });
});

describe('alpha at create', () => {
  const base = { inputSize: 2, loss: 'mse', backend: 'cpu' } as const;
  it('is refused on another activation, non-finite, or (elu) not > 0, naming the layer and value', async () => {
    const { MLP } = await import('../src');
    await expect(MLP.create({ ...base, layers: [{ units: 3, activation: 'relu', alpha: 0.1 }, { units: 1, activation: 'linear' }] })).rejects.toThrow(
      /layers\[0\]\.alpha 0\.1 does not apply to activation 'relu' \(only 'leakyRelu' and 'elu' take alpha\)/,
    );
    await expect(MLP.create({ ...base, layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'elu', alpha: 0 }] })).rejects.toThrow(/layers\[1\]\.alpha must be a finite number > 0, got 0/);
    await expect(MLP.create({ ...base, layers: [{ units: 3, activation: 'leakyRelu', alpha: Number.NaN }, { units: 1, activation: 'linear' }] })).rejects.toThrow(/layers\[0\]\.alpha must be a finite number, got NaN/);
    await expect(MLP.create({ ...base, layers: [{ units: 3, activation: 'leakyRelu', alpha: '0.1' as never }, { units: 1, activation: 'linear' }] })).rejects.toThrow(/layers\[0\]\.alpha must be a finite number/);
  });
  it('is kept in the config as given (defaults are not written in)', async () => {
    const { MLP } = await import('../src');
    const m = await MLP.create({ ...base, layers: [{ units: 3, activation: 'leakyRelu', alpha: -0.5 }, { units: 1, activation: 'elu' }] });
    expect(m.config.layers).toEqual([{ units: 3, activation: 'leakyRelu', alpha: -0.5 }, { units: 1, activation: 'elu' }]);
    const saved = await m.toJSON();
    expect(saved.config.layers[0].alpha).toBe(-0.5);
    const back = await MLP.fromJSON(JSON.stringify(saved));
    expect(back.config.layers[0]).toEqual({ units: 3, activation: 'leakyRelu', alpha: -0.5 });
  });
});
