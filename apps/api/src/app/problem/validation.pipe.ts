import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldProblem } from './api.error';
import { RequestValidationError } from './request-validation.error';

/**
 * The global pipe: DTOs validated with class-validator, unknown properties refused
 * (whitelist + forbidNonWhitelisted), and every failure reported as one 400 problem that
 * names each field by its dotted path.
 */
export function apiValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new RequestValidationError(fieldProblems(errors)),
  });
}

export function fieldProblems(errors: readonly ValidationError[], parent = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const error of errors) {
    const property = error.property === undefined || error.property === '' ? 'body' : error.property;
    const field = parent === '' ? property : /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
    for (const [code, message] of Object.entries(error.constraints ?? {})) {
      problems.push({ field, message: code === 'whitelistValidation' ? 'is not a known property' : code === 'unknownValue' ? 'must be a JSON object' : stripProperty(message, property), code });
    }
    if (error.children && error.children.length > 0) problems.push(...fieldProblems(error.children, field));
  }
  return problems;
}

/** class-validator messages start with the property name; the field is reported separately. */
function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
