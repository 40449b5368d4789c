import { PlaymentMasksError } from '../errors.js';

/** The browser entry was used before `await ready()` had compiled its WebAssembly core. */
export class NotReadyError extends PlaymentMasksError {
  constructor() {
    super(
      'NOT_READY',
      'the WebAssembly core is not loaded yet: call and await ready() (from playment-masks/browser) before the first decode',
    );
  }
}
