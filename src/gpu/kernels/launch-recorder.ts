import type { DeviceTraits } from './matmul-variants';
import { type VariantChoice, LaunchBuilder } from './launch-builder';
import type { LaunchRequest } from './launch-request';

/**
 * A launch builder that creates nothing: it notes every request (kernel, entry point, constants,
 * and a matmul's shape and modes) in `requests` and returns it, so a step can be planned (what
 * to tune, what to compile) before any pipeline or bind group exists.
 *
 * @example
 * const recorder = new LaunchRecorder(launches.traits, launches.choice);
 * recorder.softmax({ z, cols: 10, rows: 64 });
 * recorder.requests[0].kernel.name; // 'softmax'
 */
export class LaunchRecorder extends LaunchBuilder<LaunchRequest> {
  readonly requests: LaunchRequest[] = [];

  constructor(traits: DeviceTraits, choice: VariantChoice = {}) {
    super(traits, choice);
  }

  protected make(request: LaunchRequest): LaunchRequest {
    this.requests.push(request);
    return request;
  }
}
