import type { BoundaryView, WeightsView } from './protocol';
import { el } from './dom';

/** Class colours (RGB) for the 2-D views. */
export const CLASS_COLORS: [number, number, number][] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
];

/**
 * Draws a 2-D dataset's decision regions (each cell tinted by the predicted class
 * probabilities, softer where the model is unsure) and its points on top.
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
    const n = boundary.size;
    const img = new ImageData(n, n);
    for (let i = 0; i < n * n; i++) {
      // one sigmoid output = the probability of class 1
      const probs = boundary.classes === 1 ? [1 - boundary.probs[i], boundary.probs[i]] : Array.from(boundary.probs.subarray(i * boundary.classes, (i + 1) * boundary.classes));
      let r = 0;
      let g = 0;
      let b = 0;
      probs.forEach((p, k) => {
        const c = CLASS_COLORS[k % CLASS_COLORS.length];
        r += p * c[0];
        g += p * c[1];
        b += p * c[2];
      });
      const confidence = Math.max(...probs);
      const mix = 0.25 + 0.45 * confidence; // paler where unsure
      img.data[4 * i] = 255 - mix * (255 - r);
      img.data[4 * i + 1] = 255 - mix * (255 - g);
      img.data[4 * i + 2] = 255 - mix * (255 - b);
      img.data[4 * i + 3] = 255;
    }
    const tmp = document.createElement('canvas');
    tmp.width = tmp.height = n;
    tmp.getContext('2d')!.putImageData(img, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tmp, 0, 0, W, H);
  }
  const radius = points.labels.length > 100 ? 3 : 7;
  for (let i = 0; i < points.labels.length; i++) {
    const px = ((points.x[2 * i] - x0) / (x1 - x0)) * W;
    const py = ((y1 - points.x[2 * i + 1]) / (y1 - y0)) * H;
    const c = CLASS_COLORS[points.labels[i] % CLASS_COLORS.length];
    ctx.beginPath();
    ctx.arc(px, py, radius, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${c.join(',')})`;
    ctx.fill();
    ctx.strokeStyle = 'rgba(0,0,0,0.7)';
    ctx.lineWidth = 1;
    ctx.stroke();
  }
}

/** A 28×28 greyscale digit (bytes, ink = 255) drawn black on white into a new canvas. */
function digitCanvas(pixels: Uint8Array, offset: number, scale: number): HTMLCanvasElement {
  const c = el('canvas', { width: String(28), height: String(28) });
  const img = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = 255 - pixels[offset + i];
    img.data.set([v, v, v, 255], 4 * i);
  }
  c.getContext('2d')!.putImageData(img, 0, 0);
  c.style.width = c.style.height = `${28 * scale}px`;
  return c;
}

/**
 * The MNIST test digits with their predicted labels; wrong predictions are outlined in red and
 * show the true label in brackets.
 */
export function renderDigits(root: HTMLElement, digits: { pixels: Uint8Array; labels: number[] }, predictions: number[] | null): void {
  let wrong = 0;
  const cells = digits.labels.map((label, i) => {
    const p = predictions?.[i];
    const ok = p === undefined || p === label;
    if (!ok) wrong++;
    const caption = p === undefined ? el('span', {}, '?') : ok ? el('span', {}, `${p}`) : el('span', {}, `${p} `, el('small', { class: 'truth' }, `(is ${label})`));
    return el('figure', { class: `digit${ok ? '' : ' wrong'}`, title: `true label ${label}` + (p === undefined ? '' : `, predicted ${p}`) }, digitCanvas(digits.pixels, i * 784, 2), el('figcaption', {}, caption));
  });
  root.replaceChildren(...cells);
  root.dataset.wrong = String(wrong);
  root.dataset.predicted = String(predictions ? predictions.length : 0);
}

/**
 * The first layer's incoming weights, one 28×28 image per hidden unit: red positive, blue
 * negative, each scaled by its own largest |w|.
 */
export function renderWeights(root: HTMLElement, w: WeightsView): void {
  const cells: HTMLElement[] = [];
  for (let u = 0; u < w.units; u++) {
    const c = el('canvas', { width: '28', height: '28', title: `hidden unit ${u + 1}` });
    const img = new ImageData(28, 28);
    let max = 1e-12;
    for (let i = 0; i < 784; i++) max = Math.max(max, Math.abs(w.data[u * 784 + i]));
    for (let i = 0; i < 784; i++) {
      const v = w.data[u * 784 + i] / max;
      const k = Math.round(255 * (1 - Math.abs(v)));
      img.data.set(v >= 0 ? [255, k, k, 255] : [k, k, 255, 255], 4 * i);
    }
    c.getContext('2d')!.putImageData(img, 0, 0);
    c.style.width = c.style.height = '42px';
    cells.push(c);
  }
  root.replaceChildren(...cells);
}
