// The kernels' compile-time checks: the committed declarations of the `?kernel` imports
// (src/gpu/kernels/wgsl-modules.d.ts) match the WGSL, the generator writes what each file
// declares, and the compiler rejects launches that disagree with the WGSL (test/fixtures/
// kernel-misuse.ts, compiled here with the TypeScript API as `npm run typecheck` would).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { KERNEL_TYPES_FILE, kernelTypesSource, kernelTypesText } from '../shaders/kernel-types';
import { reflectKernel } from '../shaders/reflect';

const root = resolve(import.meta.dirname, '..');
const fixture = resolve(root, 'test/fixtures/kernel-misuse.ts');
// `// @ts-expect-error: WORD why`: the error must cite WORD; the rest says why (lint asks for a description)
const MARKER = /^(\s*)\/\/ @ts-expect-error: (\S+) \S.*$/;

/** The project's compiler options (tsconfig.json). */
function projectOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(resolve(root, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error('tsconfig.json could not be read');
  return parsed.options;
}

/** A diagnostic of the fixture: its 1-based line, its message and the code it points at. */
interface Found {
  line: number;
  message: string;
  code: string;
}

/**
 * Compiles the fixture with `text` in place of its contents (the declarations file as the only
 * other root, as in the project) and returns the fixture's diagnostics.
 */
function compileFixture(text: string, options: ts.CompilerOptions, oldProgram?: ts.Program): { found: Found[]; program: ts.Program } {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (resolve(name) === fixture ? ts.createSourceFile(name, text, language) : read(name, language, ...rest));
  const program = ts.createProgram({ rootNames: [fixture, resolve(root, KERNEL_TYPES_FILE)], options, host, oldProgram });
  const file = program.getSourceFile(fixture);
  if (!file) throw new Error(`${fixture} is not in the program`);
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  const found = diagnostics.map((d) => {
    const at = d.file && d.start !== undefined ? d.start : 0;
    return {
      line: d.file ? d.file.getLineAndCharacterOfPosition(at).line + 1 : 0,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      code: d.file && d.length ? d.file.text.slice(at, at + d.length) : '',
    };
  });
  return { found, program };
}

describe('wgsl-modules.d.ts: the types of the ?kernel imports', () => {
  it('matches shaders/*.wgsl (else run node scripts/kernel-types.mjs)', () => {
    const committed = readFileSync(resolve(root, KERNEL_TYPES_FILE), 'utf8');
    expect(committed === kernelTypesSource(resolve(root, 'shaders')), `${KERNEL_TYPES_FILE} is stale: run \`node scripts/kernel-types.mjs\` (npm run typecheck does)`).toBe(true);
  });

  it('declares each entry point with its bindings and access, and each uniform with its fields, each distinct set once', () => {
    const batch = 'struct Batch { rows: u32, }\n@group(1) @binding(0) var<uniform> batch: Batch;\n';
    const toy = `${batch}
struct Params { n: u32, scale: f32, }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) { dst[g.x] = src[g.x] * params.scale; }
@compute @workgroup_size(1) fn clear() { dst[0] = 0.0; }
`;
    const other = `${batch}
struct Params { n: u32, }
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(64) fn run(@builtin(global_invocation_id) g: vec3<u32>) { dst[g.x] = src[g.x] + f32(params.n); }
`;
    const text = kernelTypesText([reflectKernel('toy', toy), reflectKernel('toy-2', other)]);
    expect(text.slice(text.indexOf('declare namespace'))).toBe(`declare namespace KernelShapes {
  /** toy.wgsl main(); toy-2.wgsl run() */
  type ToyMainBindings = { params: 'uniform'; src: 'read'; dst: 'read_write' };
  /** toy.wgsl clear() */
  type ToyClearBindings = { dst: 'read_write' };
  /** \`batch\` of every file that declares it */
  type BatchFields = 'rows';
  /** toy.wgsl params */
  type ToyParamsFields = 'n' | 'scale';
  /** toy.wgsl */
  type ToyKernel = import('./kernel-interface').ReflectedKernel<{ entries: { main: ToyMainBindings; clear: ToyClearBindings }; uniforms: { batch: BatchFields; params: ToyParamsFields } }>;
  /** toy-2.wgsl params */
  type Toy2ParamsFields = 'n';
  /** toy-2.wgsl */
  type Toy2Kernel = import('./kernel-interface').ReflectedKernel<{ entries: { run: ToyMainBindings }; uniforms: { batch: BatchFields; params: Toy2ParamsFields } }>;
}

declare module '*/toy.wgsl?kernel' {
  const kernel: KernelShapes.ToyKernel;
  export default kernel;
}

declare module '*/toy-2.wgsl?kernel' {
  const kernel: KernelShapes.Toy2Kernel;
  export default kernel;
}
`);
  });

  it('refuses two different shapes that would get one name', () => {
    const one = (entry: string, binding: string) => `@group(0) @binding(0) var<storage, read_write> ${binding}: array<f32>;\n@compute @workgroup_size(1) fn ${entry}() { ${binding}[0] = 1.0; }\n`;
    expect(() => kernelTypesText([reflectKernel('a-b', one('c', 'x')), reflectKernel('a', one('b_c', 'y'))])).toThrow(/two kernel shapes would both be named ABCBindings/);
  });
});

describe('the compiler checks launches against the WGSL (test/fixtures/kernel-misuse.ts)', () => {
  const options = projectOptions();
  const text = readFileSync(fixture, 'utf8');
  const lines = text.split('\n');
  const expected = lines.flatMap((l, i) => {
    const m = MARKER.exec(l);
    return m ? [{ line: i + 2, cites: m[2] }] : [];
  });
  let first: ts.Program | undefined;

  it('compiles as written: each marked line fails and every other line compiles', () => {
    expect(expected.length, 'marked lines in the fixture').toBeGreaterThanOrEqual(10);
    const unmarked = lines.flatMap((l, i) => (l.trimStart().startsWith('// @ts-expect-error') && !MARKER.test(l) ? [`line ${i + 1}: ${l.trim()}`] : []));
    expect(unmarked, 'directives not in the form `// @ts-expect-error: WORD why`').toEqual([]);
    const { found, program } = compileFixture(text, options);
    first = program;
    expect(found.map((f) => `line ${f.line}: ${f.message}`)).toEqual([]);
  });

  it('without the markers, each marked line fails citing the name it misuses', () => {
    const unmarked = lines.map((l) => l.replace(MARKER, '$1// (expected to fail)')).join('\n');
    const { found } = compileFixture(unmarked, options, first);
    for (const e of expected) {
      const here = found.filter((f) => f.line === e.line);
      expect(here.length, `fixture line ${e.line}: no error (expected one citing ${e.cites})`).toBeGreaterThan(0);
      expect(here.some((f) => f.message.includes(e.cites) || f.code.includes(e.cites)), `fixture line ${e.line} cites ${e.cites}: ${here.map((f) => f.message).join(' | ')}`).toBe(true);
    }
    const elsewhere = found.filter((f) => !expected.some((e) => e.line === f.line));
    expect(elsewhere.map((f) => `line ${f.line}: ${f.message}`)).toEqual([]);
  });
});
