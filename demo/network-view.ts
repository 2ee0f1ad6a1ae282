import type { Activation } from '../src';
import { el } from './dom';
import { fmtMetric, pct } from './format';
import type { NetworkDiagram, NetworkSummary, NetworkView } from './protocol';
import { frames } from './render-queue';

/** TensorFlow Playground's colours: orange for negative, blue for positive. */
const NEGATIVE = [245, 147, 34];
const POSITIVE = [8, 119, 189];
const LABEL = 18;
/** Node sizes (px) and the gap between nodes. */
const NODE_MIN = 14;
const NODE_MAX = 36;
const GAP = 3;
const MIN_HEIGHT = 220;
/** Height a diagram uses before its nodes shrink towards NODE_MIN. */
const PREFERRED_HEIGHT = 420;

/** RGB for v in [-1, 1]: orange, white at 0, blue. */
function color(v: number): [number, number, number] {
  const t = Math.max(-1, Math.min(1, v));
  const c = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.abs(t);
  return [255 + (c[0] - 255) * a, 255 + (c[1] - 255) * a, 255 + (c[2] - 255) * a];
}

/** Maps a layer's raw outputs onto [-1, 1]: tanh as is, sigmoid and softmax from [0, 1], others by their largest |a|. */
function normalizer(activation: Activation | 'input', values: Float32Array): (v: number) => number {
  if (activation === 'tanh') return (v) => v;
  if (activation === 'sigmoid' || activation === 'softmax') return (v) => 2 * v - 1;
  let max = 1e-9;
  for (const v of values) max = Math.max(max, Math.abs(v));
  return (v) => v / max;
}

/** Where each node of a layer sits: columns spread over the width, nodes centred in each column. */
function layout(sizes: number[], width: number): { node: number; height: number; x: number[]; y: (layer: number, unit: number) => number } {
  const most = Math.max(...sizes);
  const node = Math.max(NODE_MIN, Math.min(NODE_MAX, Math.floor((PREFERRED_HEIGHT - LABEL) / most) - GAP));
  const step = node + GAP;
  const height = Math.max(MIN_HEIGHT, LABEL + most * step + GAP);
  const x = sizes.map((_, l) => Math.round(10 + (l * (width - 20 - node)) / Math.max(1, sizes.length - 1)));
  const y = (l: number, u: number) => LABEL + (height - LABEL - sizes[l] * step) / 2 + u * step;
  return { node, height, x, y };
}

/**
 * The picture of the network: for small networks a diagram in the manner of TensorFlow
 * Playground (each unit's output over the 2-D input plane, or for one sample; each weight a line,
 * blue positive and orange negative, thicker when larger), for large ones a per-layer summary
 * (weight histogram, mean |activation|, dead-ReLU share).
 */
export class NetworkPicture {
  private readonly canvas = el('canvas', { id: 'network-canvas', height: String(MIN_HEIGHT) });
  private readonly caption = el('p', { class: 'note', id: 'network-caption' }, 'No model yet: train one to see it here.');
  private readonly table = el('div', { id: 'network-summary' });
  private readonly sampleLabel = el('span', { id: 'net-sample' });
  private readonly sampleNav: HTMLElement;
  private readonly tmp = document.createElement('canvas');
  sample = 0;
  private samples = 1;

  /** `onSample` asks the worker to show another sample. */
  constructor(private readonly root: HTMLElement, onSample: (sample: number) => void) {
    const prev = el('button', { type: 'button', class: 'small', id: 'net-sample-prev' }, '‹');
    const next = el('button', { type: 'button', class: 'small', id: 'net-sample-next' }, '›');
    prev.addEventListener('click', () => onSample((this.sample = (this.sample - 1 + this.samples) % this.samples)));
    next.addEventListener('click', () => onSample((this.sample = (this.sample + 1) % this.samples)));
    this.sampleNav = el('div', { class: 'row pager' }, prev, this.sampleLabel, next);
    root.append(this.caption, this.sampleNav, this.canvas, this.table);
    this.clear();
  }

  /** Back to "no model". */
  clear(): void {
    frames.cancel('network');
    this.sample = 0;
    this.canvas.hidden = true;
    this.sampleNav.hidden = true;
    this.table.replaceChildren();
    this.root.dataset.kind = 'none';
    delete this.root.dataset.mode;
    this.caption.textContent = 'No model yet: train one to see it here.';
  }

  /** Draws `view` at the next frame. */
  show(view: NetworkView): void {
    frames.schedule('network', () => (view.kind === 'diagram' ? this.drawDiagram(view) : this.drawSummary(view)));
  }

  private drawDiagram(v: NetworkDiagram): void {
    this.root.dataset.kind = 'diagram';
    this.root.dataset.mode = v.mode;
    this.table.replaceChildren();
    this.canvas.hidden = false;
    const width = Math.max(320, Math.min(760, this.root.clientWidth || 600));
    const pos = layout(v.sizes, width);
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== pos.height) this.canvas.height = pos.height;
    const ctx = this.canvas.getContext('2d')!;
    ctx.clearRect(0, 0, width, pos.height);
    this.drawEdges(ctx, v, pos);
    const last = v.sizes.length - 1;
    v.sizes.forEach((units, l) => {
      const act = l === 0 ? 'input' : v.activations[l - 1];
      const norm = normalizer(act, v.values[l]);
      ctx.fillStyle = '#5b6475';
      ctx.font = '11px system-ui, sans-serif';
      ctx.textAlign = l === last ? 'right' : 'left';
      ctx.fillText(l === 0 ? `inputs (${units})` : l === last ? `output: ${units} ${act}` : `${units} ${act}`, l === last ? width - 4 : pos.x[l], 11);
      ctx.textAlign = 'left';
      for (let u = 0; u < units; u++) this.drawNode(ctx, v, l, u, norm, pos);
    });
    const shape = v.sizes.join('-');
    this.caption.textContent =
      v.mode === 'plane'
        ? `${shape} network. Each square is one unit's output over the input plane (blue positive, orange negative); each line is a weight: blue positive, orange negative, thicker = larger |w|.`
        : `${shape} network on one training sample. Each square is one unit's output for it (blue positive, orange negative); lines are weights: blue positive, orange negative, thicker = larger |w|.`;
    this.sampleNav.hidden = v.mode !== 'sample';
    if (v.sample) {
      this.samples = v.sample.count;
      this.sample = v.sample.index;
      this.sampleLabel.textContent = `sample ${v.sample.index + 1} of ${v.sample.count} (target ${v.sample.target})`;
    }
  }

  private drawEdges(ctx: CanvasRenderingContext2D, v: NetworkDiagram, pos: ReturnType<typeof layout>): void {
    v.weights.forEach((w, l) => {
      const fanIn = v.sizes[l];
      const units = v.sizes[l + 1];
      let max = 1e-9;
      for (const x of w) max = Math.max(max, Math.abs(x));
      for (let i = 0; i < fanIn; i++) {
        for (let u = 0; u < units; u++) {
          const x = w[i * units + u];
          const m = Math.abs(x) / max;
          const c = x >= 0 ? POSITIVE : NEGATIVE;
          // faint when small, so the large weights stand out in a dense layer
          ctx.strokeStyle = `rgba(${c[0]},${c[1]},${c[2]},${0.06 + 0.8 * m * m})`;
          ctx.lineWidth = 0.3 + 3.4 * m;
          ctx.beginPath();
          ctx.moveTo(pos.x[l] + pos.node, pos.y(l, i) + pos.node / 2);
          ctx.lineTo(pos.x[l + 1], pos.y(l + 1, u) + pos.node / 2);
          ctx.stroke();
        }
      }
    });
  }

  private drawNode(ctx: CanvasRenderingContext2D, v: NetworkDiagram, l: number, u: number, norm: (x: number) => number, pos: ReturnType<typeof layout>): void {
    const x = pos.x[l];
    const y = pos.y(l, u);
    const n = v.grid;
    if (v.mode === 'plane') {
      const img = new ImageData(n, n);
      const values = v.values[l];
      for (let i = 0; i < n * n; i++) {
        const [r, g, b] = color(norm(values[u * n * n + i]));
        img.data[4 * i] = r;
        img.data[4 * i + 1] = g;
        img.data[4 * i + 2] = b;
        img.data[4 * i + 3] = 255;
      }
      this.tmp.width = this.tmp.height = n;
      this.tmp.getContext('2d')!.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.tmp, x, y, pos.node, pos.node);
    } else {
      const value = v.values[l][u];
      ctx.fillStyle = `rgb(${color(norm(value)).map(Math.round).join(',')})`;
      ctx.fillRect(x, y, pos.node, pos.node);
      if (pos.node >= 16) {
        // the value beside the unit: to its right, or to its left in the output column
        const output = l === v.sizes.length - 1;
        ctx.fillStyle = '#1d2330';
        ctx.font = '10px system-ui, sans-serif';
        ctx.textAlign = output ? 'right' : 'left';
        ctx.fillText(fmtMetric(value), output ? x - 2 : x + pos.node + 2, y + pos.node - 3);
        ctx.textAlign = 'left';
      }
    }
    ctx.strokeStyle = '#8a93a6';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, pos.node - 1, pos.node - 1);
  }

  private drawSummary(v: NetworkSummary): void {
    this.root.dataset.kind = 'summary';
    delete this.root.dataset.mode;
    this.canvas.hidden = true;
    this.sampleNav.hidden = true;
    const rows = v.layers.map((l, k) => {
      const hist = el('canvas', { width: '150', height: '34', class: 'histogram' });
      const ctx = hist.getContext('2d')!;
      const top = Math.max(...l.histogram.counts, 1);
      const bw = 150 / l.histogram.counts.length;
      l.histogram.counts.forEach((c, i) => {
        const mid = l.histogram.min + ((i + 0.5) / l.histogram.counts.length) * (l.histogram.max - l.histogram.min);
        ctx.fillStyle = mid >= 0 ? 'rgb(8,119,189)' : 'rgb(245,147,34)';
        const h = (c / top) * 32;
        ctx.fillRect(i * bw, 34 - h, bw - 1, h);
      });
      const name = k === v.layers.length - 1 ? 'output' : `hidden ${k + 1}`;
      return el(
        'tr',
        {},
        el('th', {}, name),
        el('td', {}, `${v.sizes[k]}→${v.sizes[k + 1]} ${l.activation}`),
        el('td', {}, hist, el('small', {}, ` ${fmtMetric(l.histogram.min)} … ${fmtMetric(l.histogram.max)}`)),
        el('td', {}, fmtMetric(l.meanAbsActivation)),
        el('td', {}, l.deadFraction === null ? '–' : pct(l.deadFraction, 1)),
      );
    });
    const head = el('tr', {}, ...['layer', 'shape', 'weights (histogram)', 'mean |a|', 'dead ReLU'].map((h) => el('th', {}, h)));
    this.table.replaceChildren(el('table', { class: 'summary' }, el('thead', {}, head), el('tbody', {}, ...rows)));
    this.caption.textContent = `${v.sizes.join('-')} network: too many units to draw one by one, so each layer is summarized (activations over ${v.probeRows} training rows; a dead ReLU unit outputs 0 on all of them).`;
  }
}
