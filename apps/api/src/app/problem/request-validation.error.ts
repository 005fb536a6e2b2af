import { ApiError, type FieldProblem } from './api.error';

/** 400: the request body, query or path failed validation; `errors` names every field. */
export class RequestValidationError extends ApiError {
  constructor(errors: readonly FieldProblem[], subject = 'The request') {
    const fields = [...new Set(errors.map((e) => e.field))];
    super({
      status: 400,
      slug: 'validation',
      title: 'The request is invalid',
      detail: `${subject} has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}.`.replace(/\.\.$/, '.'),
      errors,
      extensions: { fields },
    });
  }
}
