/** The names under which an operation's results are stored (artifacts of the operation). */

/** The result artifact (display form: downsampled curve, recent trades). */
export const RESULT_ARTIFACT = 'result.json';
/**
 * The full result as JSON, as operations stored before the binary artifact
 * (`FULL_RESULT_ARTIFACT` of @ktrdr/shared) kept it.
 */
export const LEGACY_FULL_RESULT_ARTIFACT = 'result-full.json';
