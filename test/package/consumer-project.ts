// The files of the consumer project test/package-install.test.ts writes into a temporary folder
// and installs the packed library into. They are strings here, not .ts files of the repo,
// because `npm run typecheck` would then resolve 'webgpu-mlp' to a dist/ that is built later.

/** TypeScript's checks for the consumer: as strict as it gets, the package's .d.ts included. */
const strictOptions = {
  strict: true,
  skipLibCheck: false,
  noUnusedLocals: true,
  noUnusedParameters: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  target: 'ES2022',
  lib: ['ES2022', 'DOM'],
  types: [],
  rootDir: 'src',
};

/** The module resolutions a consumer may use, each with its tsconfig file's options. */
export const RESOLUTIONS = {
  NodeNext: { module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'out' },
  Node16: { module: 'Node16', moduleResolution: 'Node16', noEmit: true },
  Bundler: { module: 'ESNext', moduleResolution: 'Bundler', noEmit: true },
} as const;

/** tsconfig file name of a resolution (the NodeNext one also emits out/consumer.js, which runs). */
export const tsconfigFile = (resolution: keyof typeof RESOLUTIONS): string => `tsconfig.${resolution.toLowerCase()}.json`;

/**
 * A consumer of both entries: trains XOR on the CPU backend and round-trips the model through the
 * interop entry. typeErrors() is never called; each of its lines must be a type error, so types
 * that resolved to `any` fail the check (an unused @ts-expect-error is itself an error).
 */
const CONSUMER_TS = `import { MLP, type ModelConfig } from 'webgpu-mlp';
import { type ImportOptions, fromSafetensors, toOnnx, toSafetensors } from 'webgpu-mlp/interop';

const config: ModelConfig = {
  inputSize: 2,
  layers: [{ units: 8, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binaryCrossEntropy',
  seed: 7,
  backend: 'cpu',
};

export interface ConsumerResult {
  backend: 'cpu' | 'webgpu' | 'wasm';
  firstLoss: number;
  lastLoss: number;
  predictions: number[];
  reloadedIsMLP: boolean;
  reloadedPredictions: number[];
  onnxBytes: number;
}

export async function run(): Promise<ConsumerResult> {
  const model = await MLP.create(config);
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
  const history = await model.fit(x, [0, 1, 1, 0], { epochs: 300, batchSize: 4, learningRate: 0.1, optimizer: 'adam' });
  const reloaded: MLP = await fromSafetensors(await toSafetensors(model), { config: { backend: 'cpu' } });
  const result: ConsumerResult = {
    backend: model.backend,
    firstLoss: history.epochs[0]?.loss ?? NaN,
    lastLoss: history.epochs.at(-1)?.loss ?? NaN,
    predictions: (await model.predict(x)).map((row) => row[0] ?? NaN),
    reloadedIsMLP: reloaded instanceof MLP,
    reloadedPredictions: (await reloaded.predict(x)).map((row) => row[0] ?? NaN),
    onnxBytes: (await toOnnx(model)).length,
  };
  model.dispose();
  reloaded.dispose();
  return result;
}

export function typeErrors(): ImportOptions[] {
  // @ts-expect-error 'tanhh' is no activation (the core entry's ModelConfig)
  void MLP.create({ ...config, layers: [{ units: 1, activation: 'tanhh' }] });
  // @ts-expect-error 'tanhh' is no activation (the interop entry's ImportOptions)
  return [{ config: { layers: [{ units: 1, activation: 'tanhh' }] } }];
}
`;

/** What the consumer's run() gives back (ConsumerResult above), or the error it threw in the page. */
export interface ConsumerResultShape {
  error?: string;
  backend: string;
  firstLoss: number;
  lastLoss: number;
  predictions: number[];
  reloadedIsMLP: boolean;
  reloadedPredictions: number[];
  onnxBytes: number;
}

/** A plain page: an import map for the two entries, then the compiled consumer, no bundler. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>webgpu-mlp from an installed package</title>
    <link rel="icon" href="data:," />
    <script type="importmap">
      {
        "imports": {
          "webgpu-mlp": "/node_modules/webgpu-mlp/dist/webgpu-mlp.js",
          "webgpu-mlp/interop": "/node_modules/webgpu-mlp/dist/interop.js"
        }
      }
    </script>
  </head>
  <body>
    <script type="module">
      import { run } from '/out/consumer.js';
      window.consumerResult = await run().catch((e) => ({ error: String((e && e.stack) || e) }));
    </script>
  </body>
</html>
`;

/** Every file of the consumer project, path → contents. */
export function consumerFiles(): Record<string, string> {
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'webgpu-mlp-consumer', private: true, type: 'module' }, null, 2),
    'src/consumer.ts': CONSUMER_TS,
    'index.html': INDEX_HTML,
  };
  for (const [resolution, options] of Object.entries(RESOLUTIONS)) {
    const compilerOptions = { ...strictOptions, ...options };
    files[tsconfigFile(resolution as keyof typeof RESOLUTIONS)] = JSON.stringify({ compilerOptions, include: ['src'] }, null, 2);
  }
  return files;
}
