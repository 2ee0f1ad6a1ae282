import { el } from './dom';
import { type BoundaryView, WEIGHTS_PAGE, type WeightsView } from './protocol';
import { frames } from './render-queue';

/** Weight images drawn per frame job. */
const WEIGHTS_PER_FRAME = 4;

/** Class colours (RGB) for the 2-D views. */
export const CLASS_COLORS: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
];

/** Row-major `n × n` image of a boundary's class probabilities, softer where the model is unsure. */
function boundaryImage(boundary: BoundaryView): HTMLCanvasElement {
  const n = boundary.size;
  const img = new ImageData(n, n);
  const k = boundary.classes;
  for (let i = 0; i < n * n; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let confidence = 0;
    for (let c = 0; c < Math.max(k, 2); c++) {
      // one sigmoid output = the probability of class 1
      const p = k === 1 ? (c === 0 ? 1 - boundary.probs[i] : boundary.probs[i]) : boundary.probs[i * k + c];
      const col = CLASS_COLORS[c % CLASS_COLORS.length];
      r += p * col[0];
      g += p * col[1];
      b += p * col[2];
      confidence = Math.max(confidence, p);
    }
    const mix = 0.25 + 0.45 * confidence; // paler where unsure
    img.data[4 * i] = 255 - mix * (255 - r);
    img.data[4 * i + 1] = 255 - mix * (255 - g);
    img.data[4 * i + 2] = 255 - mix * (255 - b);
    img.data[4 * i + 3] = 255;
  }
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = n;
  tmp.getContext('2d')!.putImageData(img, 0, 0);
  return tmp;
}

/**
 * Draws a 2-D dataset's decision regions (each cell tinted by the predicted class
 * probabilities) and its points on top.
 */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  points: { x: Float32Array; labels: number[]; extent: [number, number, number, number] },
  boundary: BoundaryView | null,
): void {
  const ctx = canvas.getContext('2d')!;
  const W = canvas.width;
  const H = canvas.height;
  const [x0, x1, y0, y1] = points.extent;
  ctx.fillStyle = '#f4f4f4';
  ctx.fillRect(0, 0, W, H);
  if (boundary) {
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(boundaryImage(boundary), 0, 0, W, H);
  }
  const radius = points.labels.length > 100 ? 3 : 7;
  ctx.strokeStyle = 'rgba(0,0,0,0.7)';
  ctx.lineWidth = 1;
  for (let i = 0; i < points.labels.length; i++) {
    const px = ((points.x[2 * i] - x0) / (x1 - x0)) * W;
    const py = ((y1 - points.x[2 * i + 1]) / (y1 - y0)) * H;
    const c = CLASS_COLORS[points.labels[i] % CLASS_COLORS.length];
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${c.join(',')})`;
    ctx.fill();
    ctx.stroke();
  }
}

/** A 28×28 greyscale digit (bytes, ink = 255) drawn black on white into a new canvas. */
function digitCanvas(pixels: Uint8Array, offset: number, scale: number): HTMLCanvasElement {
  const c = el('canvas', { width: '28', height: '28' });
  const img = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = 255 - pixels[offset + i];
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  c.getContext('2d')!.putImageData(img, 0, 0);
  c.style.width = c.style.height = `${28 * scale}px`;
  return c;
}

/**
 * The MNIST test digits with their predicted labels; wrong predictions are outlined in red and
 * show the true label in brackets. The images are drawn once; predictions only change captions.
 */
export class DigitsGrid {
  private labels: number[] = [];
  private cells: { figure: HTMLElement; caption: HTMLElement }[] = [];

  constructor(private readonly root: HTMLElement) {}

  /** Shows new digits, without predictions. */
  setDigits(digits: { pixels: Uint8Array; labels: number[] }): void {
    this.labels = digits.labels;
    this.cells = digits.labels.map((label, i) => {
      const caption = el('figcaption', {}, '?');
      const figure = el('figure', { class: 'digit', title: `true label ${label}` }, digitCanvas(digits.pixels, i * 784, 2), caption);
      return { figure, caption };
    });
    this.root.replaceChildren(...this.cells.map((c) => c.figure));
    this.root.dataset.predicted = '0';
    this.root.dataset.wrong = '0';
  }

  /** Shows predictions (or none); returns how many are wrong. */
  setPredictions(predictions: number[] | null): number {
    let wrong = 0;
    this.cells.forEach(({ figure, caption }, i) => {
      const label = this.labels[i];
      const p = predictions?.[i];
      const ok = p === undefined || p === label;
      if (!ok) wrong++;
      figure.classList.toggle('wrong', !ok);
      figure.title = `true label ${label}` + (p === undefined ? '' : `, predicted ${p}`);
      caption.replaceChildren(...(p === undefined ? ['?'] : ok ? [`${p}`] : [`${p} `, el('small', { class: 'truth' }, `(is ${label})`)]));
    });
    this.root.dataset.wrong = String(wrong);
    this.root.dataset.predicted = String(predictions ? predictions.length : 0);
    return wrong;
  }
}

/**
 * The first layer's incoming weights, one 28×28 image per hidden unit (red positive, blue
 * negative, each scaled by its own largest |w|), a page at a time with ‹ › to browse them all.
 */
export class WeightsPager {
  private readonly grid = el('div', { class: 'weights', id: 'weights' });
  private readonly label = el('span', { id: 'weights-page' }, '');
  private readonly prev = el('button', { type: 'button', class: 'small', id: 'weights-prev', title: 'previous units' }, '‹');
  private readonly next = el('button', { type: 'button', class: 'small', id: 'weights-next', title: 'next units' }, '›');
  private canvases: HTMLCanvasElement[] = [];
  private contexts: CanvasRenderingContext2D[] = [];
  private readonly image = new ImageData(28, 28);
  page = 0;
  private pages = 1;

  /** `onPage` asks the worker for another page. */
  constructor(root: HTMLElement, onPage: (page: number) => void) {
    root.append(el('div', { class: 'row pager' }, this.prev, this.label, this.next), this.grid);
    this.prev.addEventListener('click', () => onPage((this.page = Math.max(0, this.page - 1))));
    this.next.addEventListener('click', () => onPage((this.page = Math.min(this.pages - 1, this.page + 1))));
    this.clear();
  }

  /** Back to no images (a new dataset or model). */
  clear(): void {
    this.page = 0;
    this.pages = 1;
    this.canvases = [];
    this.contexts = [];
    for (let from = 0; from < WEIGHTS_PAGE; from += WEIGHTS_PER_FRAME) frames.cancel(`weights-${from}`);
    this.grid.replaceChildren();
    this.label.textContent = 'no model yet';
    this.prev.disabled = this.next.disabled = true;
  }

  /** Draws a page of weight images, a few per frame. */
  show(w: WeightsView): void {
    this.pages = Math.ceil(w.total / WEIGHTS_PAGE);
    this.page = Math.floor(w.start / WEIGHTS_PAGE);
    while (this.canvases.length < w.units) {
      const c = el('canvas', { width: '28', height: '28' });
      c.style.width = c.style.height = '42px';
      this.canvases.push(c);
      this.contexts.push(c.getContext('2d')!);
    }
    this.canvases.length = this.contexts.length = w.units;
    if (this.grid.children.length !== w.units) this.grid.replaceChildren(...this.canvases);
    for (let from = 0; from < w.units; from += WEIGHTS_PER_FRAME) {
      frames.schedule(`weights-${from}`, () => this.drawUnits(w, from, Math.min(w.units, from + WEIGHTS_PER_FRAME)));
    }
    this.label.textContent = `units ${w.start + 1}–${w.start + w.units} of ${w.total}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page >= this.pages - 1;
  }

  private drawUnits(w: WeightsView, from: number, to: number): void {
    const img = this.image;
    const px = img.data;
    for (let u = from; u < to; u++) {
      let max = 1e-12;
      for (let i = 0; i < 784; i++) max = Math.max(max, Math.abs(w.data[u * 784 + i]));
      for (let i = 0; i < 784; i++) {
        const v = w.data[u * 784 + i] / max;
        const k = 255 * (1 - Math.abs(v));
        px[4 * i] = v >= 0 ? 255 : k;
        px[4 * i + 1] = k;
        px[4 * i + 2] = v >= 0 ? k : 255;
        px[4 * i + 3] = 255;
      }
      this.contexts[u]?.putImageData(img, 0, 0);
      if (this.canvases[u]) this.canvases[u].title = `hidden unit ${w.start + u + 1}`;
    }
  }
}
