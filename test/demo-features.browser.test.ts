// The demo's training-feature controls, as a person uses them: the preset "MNIST — early-stopped,
// cosine, dropout", shrunk to a quick run in the editor, trained, and read back from the page
// (the learning rate per epoch, the stop reason, the best epoch on the chart and in the table);
// and refused values shown next to their fields with Train disabled. Screenshots go to
// test-output/ (gitignored).
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, closeDemo, fill, screenshot, openReadyDemo, text, waitForState, waitForText } from '../demo/e2e/page-driver';

let demo: Demo;
let page: Page;

beforeAll(async () => ({ demo, page } = await openReadyDemo()));
afterAll(() => closeDemo(demo));

const get = (selector: string) => text(page, selector);
const value = (selector: string) => page.$eval(selector, (i) => (i as HTMLInputElement).value);
const checked = (selector: string) => page.$eval(selector, (i) => (i as HTMLInputElement).checked);
const disabled = (selector: string) => page.$eval(selector, (b) => (b as HTMLButtonElement).disabled);
const firstDropout = '.layer:first-child input.dropout';
/** The messages shown next to fields. */
const fieldErrors = () => page.$$eval('#editor .field-error', (e) => e.map((x) => x.textContent));

/** The per-epoch table as shown: epoch, validation loss and learning rate of each row, and the marked row. */
async function epochRows(): Promise<{ epoch: number; valLoss: number; rate: number; best: boolean }[]> {
  return page.$$eval('#epoch-table tbody tr', (rows) =>
    rows.map((r) => {
      const cells = [...r.children].map((c) => (c as HTMLElement).innerText);
      const col = (name: string) => cells[[...document.querySelectorAll('#epoch-table thead th')].findIndex((h) => h.textContent === name)];
      return { epoch: parseFloat(cells[0]), valLoss: Number(col('val loss')), rate: Number(col('η')), best: r.classList.contains('best') };
    }),
  );
}

/** The cosine schedule's rate at step t (0-based) of total, as docs/options.md defines it. */
const cosine = (initial: number, warmup: number, min: number, t: number, total: number) =>
  t < warmup ? (initial * (t + 1)) / warmup : min + (initial - min) * 0.5 * (1 + Math.cos((Math.PI * (t - warmup)) / (total - warmup)));

describe('demo training features', () => {
  it('offers the preset "MNIST — early-stopped, cosine, dropout" and shows it in the editor', async () => {
    const labels = await page.$$eval('#preset option', (o) => o.map((x) => x.textContent));
    expect(labels).toContain('MNIST — early-stopped, cosine, dropout');
    expect(await value('#preset')).toBe('mnist');
    await page.select('#preset', 'mnist-features');
    expect(await value('.layer:first-child input.units')).toBe('256');
    expect(await value(firstDropout)).toBe('0.3');
    expect(await page.$$eval('.layer:last-child input.dropout', (d) => d.length)).toBe(0); // no dropout on the output layer
    expect(await value('#learning-rate')).toBe('0.002');
    expect(await value('#lr-schedule')).toBe('cosine');
    expect(await value('#lr-warmup')).toBe('200');
    expect(Number(await value('#lr-min'))).toBe(5e-5);
    expect(await page.$eval('#lr-decay', (i) => (i.closest('label') as HTMLElement).hidden)).toBe(true); // only the cosine fields show
    expect(await checked('#early-stopping')).toBe(true);
    expect(await value('#es-monitor')).toBe('valLoss');
    expect(await value('#es-patience')).toBe('2');
    expect(await checked('#es-restore')).toBe(true);
    expect(await value('#batch-size')).toBe('128');
    expect(await value('#epochs')).toBe('12');
    expect(await value('#optimizer')).toBe('adam');
    expect(await value('#initializer')).toBe('he');
    expect(await get('#parameters')).toMatch(/^784-256-10 network, 203,530 parameters/);
    expect(await fieldErrors()).toEqual([]);
    expect(await disabled('#train')).toBe(false);
    // an edit leaves the preset: the list says the settings are edited
    await fill(page, '#epochs', '3');
    expect(await value('#preset')).toBe('');
  });

  it('trains a shrunk copy of it: the learning rate falls epoch by epoch, and the page says why the run stopped and which epoch was best', async () => {
    await fill(page, '#mnist-train', '2000');
    await fill(page, '#mnist-test', '2000');
    await waitForText(page, '#dataset-info', /2000 training images, 2000 test images/);
    await waitForState(page, ['ready']);
    // 1 800 training rows in batches of 128 are 15 steps an epoch, 45 in all: a 200-step warmup
    // would never end, so 5 warmup steps; patience 1 stops at the first epoch without a better validation loss
    await fill(page, '#epochs', '3');
    await fill(page, '#lr-warmup', '5');
    await fill(page, '#es-patience', '1');
    await page.click('#backend-cpu');
    expect(await fieldErrors()).toEqual([]);
    await page.click('#train');
    await waitForState(page, ['done']);
    const status = await get('#status');
    console.log(`features run: ${status}`);
    const rows = await epochRows();
    console.log(`epoch table: ${JSON.stringify(rows)}`);
    // the rate of each epoch's last step, as the cosine schedule gives it, falling epoch by epoch
    expect(rows.length).toBeGreaterThanOrEqual(2);
    rows.forEach((r, i) => {
      expect(r.epoch).toBe(i + 1);
      const expected = cosine(0.002, 5, 5e-5, 15 * (i + 1) - 1, 45);
      expect(Math.abs(r.rate - expected), `epoch ${r.epoch}: η ${r.rate}, expected ${expected}`).toBeLessThanOrEqual(5e-3 * expected);
      if (i > 0) expect(r.rate).toBeLessThan(rows[i - 1].rate);
    });
    // the best epoch: the lowest validation loss in the table, said in the status, marked in the table and on the loss chart
    const best = rows.reduce((b, r) => (r.valLoss < b.valLoss ? r : b), rows[0]).epoch;
    expect(rows.filter((r) => r.best).map((r) => r.epoch)).toEqual([best]);
    expect(await page.$eval('#loss-chart-box', (b) => (b as HTMLElement).dataset.bestEpoch)).toBe(String(best));
    expect(status).toContain(`Best epoch ${best} (valLoss `);
    expect(status).toContain(`restored the weights of epoch ${best}.`);
    if (rows.length < 3) {
      expect(status).toMatch(new RegExp(`^Stopped early \\(stopReason 'earlyStopping'\\) after epoch ${rows.length} of 3: valLoss did not improve by more than 0 for 1 epoch, on the CPU`));
      expect(best).toBe(rows.length - 1);
    } else {
      expect(status).toMatch(/^Trained 3 epoch\(s\) on the CPU .* Early stopping did not trigger: all 3 epochs ran \(stopReason 'completed'\)\./);
    }
    expect(status).toMatch(/Test accuracy [\d.]+%/i);
    expect(Number(await page.$eval('#rate-chart-box', (b) => (b as HTMLElement).dataset.points))).toBe(rows.length);
    // the restored model's validation loss is the best epoch's
    expect(Number(await get('#val-loss'))).toBe(rows.find((r) => r.epoch === best)!.valLoss);
    await screenshot(page, 'demo-features.png');
  });

  it('stops early when the validation loss does not improve by more than min delta, and restores the best epoch', async () => {
    // no second epoch lowers the validation loss by more than 0.5, so patience 1 stops after epoch 2
    const first = await epochRows();
    await fill(page, '#es-min-delta', '0.5');
    await page.click('#train');
    await waitForState(page, ['done']);
    const status = await get('#status');
    console.log(`features run, min delta 0.5: ${status}`);
    const rows = await epochRows();
    console.log(`epoch table: ${JSON.stringify(rows)}`);
    expect(rows.map((r) => r.epoch)).toEqual([1, 2]);
    // the same seed and the same schedule over the 3 epochs planned: the same rates and epoch 1 as before
    expect(rows.map((r) => r.rate)).toEqual(first.slice(0, 2).map((r) => r.rate));
    expect(rows[0].valLoss).toBe(first[0].valLoss);
    expect(status).toMatch(/^Stopped early \(stopReason 'earlyStopping'\) after epoch 2 of 3: valLoss did not improve by more than 0\.5 for 1 epoch, on the CPU \(float64\) in [\d.]+ s \(.*\)\. Best epoch 1 \(valLoss [\d.]+\); restored the weights of epoch 1\. Test accuracy [\d.]+%\.$/);
    expect(status).toContain(`Best epoch 1 (valLoss ${rows[0].valLoss})`);
    expect(rows.filter((r) => r.best).map((r) => r.epoch)).toEqual([1]);
    expect(await page.$eval('#loss-chart-box', (b) => (b as HTMLElement).dataset.bestEpoch)).toBe('1');
    expect(Number(await get('#val-loss'))).toBe(rows[0].valLoss);
    await screenshot(page, 'demo-features-early-stop.png');
  });

  it('runs the same on WebGPU: the same rates, the same early stop, and the best epoch restored from the device-side copy', async () => {
    const cpu = await epochRows();
    await page.click('#backend-webgpu');
    await page.click('#train');
    await waitForState(page, ['done'], 300_000);
    expect(await get('#backend')).toBe('WebGPU');
    const status = await get('#status');
    console.log(`features run on WebGPU: ${status}`);
    const rows = await epochRows();
    console.log(`epoch table: ${JSON.stringify(rows)}`);
    expect(rows.map((r) => r.epoch)).toEqual([1, 2]);
    expect(rows.map((r) => r.rate)).toEqual(cpu.map((r) => r.rate)); // computed on the host for both
    // float32 on the GPU, float64 on the CPU, the same dropout masks: validation losses agree to the digits shown
    rows.forEach((r, i) => expect(Math.abs(r.valLoss - cpu[i].valLoss), `epoch ${r.epoch}: ${r.valLoss} vs ${cpu[i].valLoss}`).toBeLessThanOrEqual(2e-3 * cpu[i].valLoss));
    expect(status).toMatch(/^Stopped early \(stopReason 'earlyStopping'\) after epoch 2 of 3: valLoss did not improve by more than 0\.5 for 1 epoch, on WebGPU .* Best epoch 1 \(valLoss [\d.]+\); restored the weights of epoch 1\./);
    expect(Number(await get('#val-loss'))).toBe(rows[0].valLoss);
    await page.click('#backend-cpu');
  });

  it("refuses a dropout of 1, a monitor the run does not log and a schedule without its fields, with the library's messages, and disables Train", async () => {
    await fill(page, firstDropout, '1');
    const message = 'layers[0].dropout must be in [0, 1) (the probability of dropping each unit while training; 0 = none), got 1';
    expect(await fieldErrors()).toEqual([message]);
    expect(await page.$eval(firstDropout, (i) => i.getAttribute('aria-invalid'))).toBe('true');
    expect(await disabled('#train')).toBe(true);
    expect(await disabled('#resume')).toBe(true);
    expect(await page.$eval('#train', (b) => (b as HTMLButtonElement).title)).toBe(`Fix the settings first: ${message}`);
    await screenshot(page, 'demo-features-invalid.png');
    await fill(page, firstDropout, '0.3');
    expect(await fieldErrors()).toEqual([]);
    expect(await disabled('#train')).toBe(false);
    // validation loss without validation rows
    await fill(page, '#validation-split', '0');
    expect(await fieldErrors()).toEqual(["earlyStopping.monitor 'valLoss' needs validation data: pass validationData or validationSplit, or monitor 'loss' / 'accuracy'"]);
    expect(await disabled('#train')).toBe(true);
    await page.select('#es-monitor', 'loss');
    expect(await fieldErrors()).toEqual([]);
    // a step schedule needs its period and factor
    await page.select('#lr-schedule', 'step');
    expect(await page.$eval('#lr-every', (i) => (i.closest('label') as HTMLElement).hidden)).toBe(false);
    const [stepError] = await fieldErrors();
    expect(stepError).toMatch(/^learningRate\.every must be /);
    expect(await page.$eval('#lr-every', (i) => i.getAttribute('aria-invalid'))).toBe('true');
    expect(await disabled('#train')).toBe(true);
    await fill(page, '#lr-every', '1');
    await fill(page, '#lr-factor', '0.5');
    expect(await fieldErrors()).toEqual([]);
    expect(await disabled('#train')).toBe(false);
  });

  it('offers the Huber loss with its δ (enabled with it only) and L1, refusing δ 0 and a negative λ₁ next to their fields', async () => {
    expect(await page.$$eval('#loss option', (o) => o.map((x) => (x as HTMLOptionElement).value))).toContain('huber');
    expect(await value('#l1')).toBe('0');
    expect(await disabled('#huber-delta')).toBe(true);
    await fill(page, '#l1', '-1');
    expect(await fieldErrors()).toEqual(["L1 must be a number ≥ 0, got '-1'"]);
    expect(await disabled('#train')).toBe(true);
    await fill(page, '#l1', '0.001');
    await page.select('#loss', 'huber');
    expect(await disabled('#huber-delta')).toBe(false);
    expect(await value('#huber-delta')).toBe('1');
    await fill(page, '#huber-delta', '0');
    expect(await fieldErrors()).toEqual(["Huber δ must be a number > 0, got '0'"]);
    expect(await disabled('#train')).toBe(true);
    await fill(page, '#huber-delta', '0.5');
    expect(await fieldErrors()).toEqual([]);
    expect(await disabled('#train')).toBe(false);
  });

  it('offers the preset "MNIST — deep residual MLP" with a residual box per hidden layer, disabled with the reason where the widths differ; α and norm per layer', async () => {
    const boxes = () => page.$$eval('.layer input.residual', (r) => r.map((x) => ({ checked: (x as HTMLInputElement).checked, disabled: (x as HTMLInputElement).disabled, title: (x as HTMLInputElement).title })));
    await page.select('#preset', 'mnist-deep-residual');
    expect(await page.$$eval('.layer input.units', (u) => u.map((x) => (x as HTMLInputElement).value))).toEqual(['256', '256', '256', '256', '256', '10']);
    const shown = await boxes();
    expect(shown.map((b) => b.checked)).toEqual([false, true, true, true, true]);
    expect(shown.map((b) => b.disabled)).toEqual([true, false, false, false, false]);
    expect(shown[0].title).toBe("residual needs the layer's input width (784) to equal its units (256)");
    expect(await page.$$eval('.layer:last-child input.residual', (r) => r.length)).toBe(0); // none on the output layer
    // the editor's settings are the preset's again (matchingPreset), and the library takes them
    expect(await value('#preset')).toBe('mnist-deep-residual');
    expect(await get('#parameters')).toMatch(/^784-256-256-256-256-256-10 network, 466,698 parameters/);
    expect(await fieldErrors()).toEqual([]);
    expect(await disabled('#train')).toBe(false);
    // hidden 3 at 128 units: its box and the next one's are disabled, each saying why
    await fill(page, '.layer:nth-child(3) input.units', '128');
    const edited = await boxes();
    expect(edited.map((b) => b.disabled)).toEqual([true, false, true, true, false]);
    expect(edited.map((b) => b.checked)).toEqual([false, true, false, false, true]);
    expect(edited[2].title).toBe("residual needs the layer's input width (256) to equal its units (128)");
    expect(edited[3].title).toBe("residual needs the layer's input width (128) to equal its units (256)");
    expect(await value('#preset')).toBe('');
    expect(await fieldErrors()).toEqual([]);
    // α only for leakyRelu and elu; norm per hidden layer (none on the output layer), γ and β counted
    const alphas = () => page.$$eval('.layer input.alpha', (a) => a.map((x) => (x as HTMLInputElement).disabled));
    const count = async () => Number((await get('#parameters')).match(/network, ([\d,]+) parameters/)![1].replaceAll(',', ''));
    expect(await alphas()).toEqual([true, true, true, true, true, true]);
    expect(await page.$$eval('.layer select.norm', (n) => n.length)).toBe(5);
    const plainCount = await count();
    await page.select('.layer:nth-child(2) select.norm', 'layer');
    expect(await count()).toBe(plainCount + 2 * 256);
    await page.select('.layer:nth-child(2) select.activation', 'elu');
    expect(await alphas()).toEqual([true, false, true, true, true, true]);
    expect(await page.$eval('.layer:nth-child(2) input.alpha', (a) => (a as HTMLInputElement).placeholder)).toBe('1');
    await fill(page, '.layer:nth-child(2) input.alpha', '-1');
    expect(await fieldErrors()).toEqual(["α of layer 2 must be a number > 0, got '-1'"]);
    expect(await disabled('#train')).toBe(true);
    await fill(page, '.layer:nth-child(2) input.alpha', '0.5');
    expect(await fieldErrors()).toEqual([]);
    // batch norm: γ and β counted as for layer norm; a batch size of 1 refused next to its field, as fit refuses it
    await page.select('.layer:nth-child(2) select.norm', 'batch');
    expect(await count()).toBe(plainCount + 2 * 256);
    const batchSize = await value('#batch-size');
    await fill(page, '#batch-size', '1');
    expect(await fieldErrors()).toEqual(['batch size 1: hidden layer 2 has batch norm, which needs at least 2 rows in every training batch (its variance over one row is 0); use a batch size ≥ 2']);
    expect(await disabled('#train')).toBe(true);
    await fill(page, '#batch-size', batchSize);
    expect(await fieldErrors()).toEqual([]);
    await screenshot(page, 'demo-features-residual.png');
  });
});
