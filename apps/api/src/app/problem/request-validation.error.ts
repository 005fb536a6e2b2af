import { ApiError, type FieldProblem } from './api.error';

/** 400: the request body, query or path failed validation; `errors` names every field. */
export class RequestValidationError extends ApiError {
  constructor(problems: readonly FieldProblem[], subject = 'The request') {
    // messages are about their field, which is reported beside them: "is 2,001 characters…", not "text is…"
    const errors = problems.map((p) => (p.message.startsWith(`${p.field} `) ? { ...p, message: p.message.slice(p.field.length + 1) } : p));
    const fields = [...new Set(errors.map((e) => e.field))];
    super({
      status: 400,
      slug: 'validation',
      title: 'The request is invalid',
      detail: `${subject} has ${errors.length} problem${errors.length === 1 ? '' : 's'}: ${errors.map((e) => `${e.field} ${e.message.replace(/\.$/, '')}`).join('; ')}.`,
      errors,
      extensions: { fields },
    });
  }
}
