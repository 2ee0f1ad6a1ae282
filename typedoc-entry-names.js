// TypeDoc plugin (typedoc.json's "plugin"): names each documented entry as a consumer imports it,
// 'webgpu-mlp' and 'webgpu-mlp/interop', where TypeDoc would name it by its source path ('index',
// 'interop').
import { readFileSync } from 'node:fs';
import { Converter } from 'typedoc';

const { name: packageName } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Called by TypeDoc with its application when it loads the plugin. */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const entry of context.project.children ?? []) {
      entry.name = entry.name === 'index' ? packageName : `${packageName}/${entry.name}`;
    }
  });
}
