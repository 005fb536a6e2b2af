/** Injection token of the validated ApiConfig. */
export const API_CONFIG = Symbol('API_CONFIG');
/** Injection token of the Clock the API reads time from (tests pass a fake one). */
export const API_CLOCK = Symbol('API_CLOCK');
