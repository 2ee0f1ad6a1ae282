// The preset list: picking one puts its dataset and settings in the page; after any edit the
// list shows which preset the editor still matches, or "edited settings".
import { el } from './dom';
import { type DatasetName, PRESET_LIST, type Preset, type Settings, matchingPreset } from './presets';

/** The value of the list's entry for settings that match no preset. */
const EDITED = '';

/**
 * The `<select>` of presets: {@link PRESET_LIST} and an entry for edited settings.
 *
 * @example
 * const picker = new PresetPicker(byId('preset'), (p) => console.log(p.label));
 * picker.sync('mnist', PRESETS.mnist); // shows 'MNIST — default (784-128-10, Adam)'
 */
export class PresetPicker {
  constructor(
    private readonly select: HTMLSelectElement,
    onPick: (preset: Preset) => void,
  ) {
    select.replaceChildren(el('option', { value: EDITED }, 'edited settings (no preset)'), ...PRESET_LIST.map((p) => el('option', { value: p.id }, p.label)));
    select.addEventListener('change', () => {
      const preset = PRESET_LIST.find((p) => p.id === select.value);
      if (preset) onPick(preset);
    });
  }

  /** Shows the preset `settings` match for `dataset` (the edited entry when they match none or are invalid). */
  sync(dataset: DatasetName, settings: Settings | null): void {
    this.select.value = (settings && matchingPreset(dataset, settings)?.id) ?? EDITED;
  }
}
