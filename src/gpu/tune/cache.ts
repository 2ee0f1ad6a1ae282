import { KERNELS, MATMUL_VARIANT_KERNELS } from '../kernels/registry';

/**
 * Where measurements outlive the page or process: the autotuner's matmul choices and `'auto'`'s
 * backend timings, each record under a key that names the adapter (see {@link adapterKey}).
 * Browsers use IndexedDB ({@link indexedDbStore}), Node a JSON file ({@link fileStore}).
 *
 * @example
 * const store = memoryStore();
 * await store.write('k', { a: 1 });
 * await store.read('k'); // { a: 1 }
 */
export interface TuningStore {
  /** The record stored under `key`, or null. */
  read(key: string): Promise<unknown>;
  /** Stores `value` (JSON-safe) under `key`. */
  write(key: string, value: unknown): Promise<void>;
}

/** A store that lives as long as the page or process. */
export function memoryStore(): TuningStore {
  const m = new Map<string, string>();
  return {
    read: async (key) => (m.has(key) ? JSON.parse(m.get(key)!) : null),
    write: async (key, value) => void m.set(key, JSON.stringify(value)),
  };
}

/** IndexedDB (database `name`, object store `tuning`), or null where there is no IndexedDB. */
export function indexedDbStore(name = 'webgpu-mlp'): TuningStore | null {
  const idb = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!idb) return null;
  let db: Promise<IDBDatabase> | null = null;
  const open = () =>
    (db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = idb.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore('tuning');
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    }));
  const run = async <T>(mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const d = await open();
    return new Promise<T>((resolve, reject) => {
      const req = op(d.transaction('tuning', mode).objectStore('tuning'));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  };
  return {
    read: async (key) => (await run('readonly', (s) => s.get(key))) ?? null,
    write: async (key, value) => void (await run('readwrite', (s) => s.put(value, key))),
  };
}

/** The part of Node's `fs/promises` the file store uses. */
interface NodeFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  mkdir(path: string, options: { recursive: boolean }): Promise<unknown>;
}

/**
 * A JSON file holding every record (Node ≥ 20.16). Writes replace the file through a temporary one.
 *
 * @example
 * const store = fileStore('/tmp/webgpu-mlp-tuning.json');
 */
export function fileStore(path: string): TuningStore {
  // Node's fs through process.getBuiltinModule (Node ≥ 20.16), so that bundles for browsers
  // carry no import of a node: module
  const fs = async () => {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (!get) throw new Error('the file store needs Node ≥ 20.16 (process.getBuiltinModule)');
    return get('node:fs/promises') as NodeFs;
  };
  const readAll = async (): Promise<Record<string, unknown>> => {
    try {
      const parsed: unknown = JSON.parse(await (await fs()).readFile(path, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    read: async (key) => (await readAll())[key] ?? null,
    write: (key, value) => {
      const done = queue.then(async () => {
        const f = await fs();
        const all = await readAll();
        all[key] = value;
        const dir = path.replace(/[/\\][^/\\]*$/, '');
        if (dir && dir !== path) await f.mkdir(dir, { recursive: true });
        const tmp = `${path}.${Date.now()}.tmp`;
        await f.writeFile(tmp, JSON.stringify(all));
        await f.rename(tmp, path);
      });
      queue = done.catch(() => {});
      return done;
    },
  };
}

/**
 * The store the library uses: IndexedDB in browsers and workers; in Node (≥ 20.16) the file named
 * by `WEBGPU_MLP_TUNING_FILE` (default `webgpu-mlp-tuning.json` in the system temp directory);
 * `WEBGPU_MLP_TUNING_FILE=off`, or no storage at all, keeps records in memory only.
 */
export function defaultStore(): TuningStore {
  if (environmentStore) return environmentStore;
  const proc = (globalThis as { process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } }).process;
  if (proc?.versions?.node && typeof (proc as { getBuiltinModule?: unknown }).getBuiltinModule === 'function') {
    const file = proc.env?.WEBGPU_MLP_TUNING_FILE;
    const tmp = (proc.env?.TMPDIR || proc.env?.TEMP || proc.env?.TMP || '/tmp').replace(/[/\\]$/, '');
    environmentStore = file === 'off' ? memoryStore() : fileStore(file || `${tmp}/webgpu-mlp-tuning.json`);
  } else environmentStore = indexedDbStore() ?? memoryStore();
  return environmentStore;
}

let environmentStore: TuningStore | null = null;
let chosenStore: TuningStore | null = null;

/**
 * Replaces the store the library uses (null: back to {@link defaultStore}).
 *
 * @example
 * setTuningStore(memoryStore()); // measurements kept in memory only
 */
export function setTuningStore(store: TuningStore | null): void {
  chosenStore = store;
}

/** The store in use: the one given to {@link setTuningStore}, else {@link defaultStore}. */
export function currentStore(): TuningStore {
  return chosenStore ?? defaultStore();
}

/** A short hash of a string (FNV-1a, 32 bits, hex). */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** The limits that decide which variants run and how. */
const KEY_LIMITS = ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxComputeWorkgroupSizeX'] as const;

/**
 * What identifies an adapter for cached measurements: its info (vendor, architecture, device,
 * description), the limits and features the kernels depend on, and a hash of the matmul kernels'
 * code (measurements of other code are not reused).
 *
 * @example
 * adapterKey(device); // 'google|swiftshader||…|limits 256,32768,…|subgroups,timestamp-query|kernels 1a2b3c4d'
 */
export function adapterKey(device: GPUDevice): string {
  const i = ((device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? {}) as Partial<GPUAdapterInfo>;
  const info = [i.vendor, i.architecture, i.device, i.description].map((s) => String(s ?? '').trim()).join('|');
  const limits = KEY_LIMITS.map((k) => device.limits[k]).join(',');
  const features = [...device.features].sort().join(',');
  const code = hash([KERNELS.matmul, ...Object.values(MATMUL_VARIANT_KERNELS)].map((k) => k.code).join('\n'));
  return `${info}|limits ${limits}|${features}|kernels ${code}`;
}
