/**
 * Creates an element with attributes and children (strings become text nodes).
 *
 * @example
 * el('button', { id: 'train', class: 'primary' }, 'Train');
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** The element with id `id`, typed; throws naming the id when the page lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no element with id '${id}'`);
  return node as T;
}

/** A number with `digits` decimals, or '–' when missing. */
export const fmt = (v: number | undefined | null, digits = 4): string => (v === undefined || v === null || !Number.isFinite(v) ? '–' : v.toFixed(digits));

/** A fraction as a percentage, or '–'. */
export const pct = (v: number | undefined | null, digits = 2): string => (v === undefined || v === null || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`);
