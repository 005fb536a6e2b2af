import { ApiError } from '../problem/api.error';

/** 400: the body cannot be read as what the route takes (broken encoding, not UTF-8, not JSON, too deep, too many properties). */
export class MalformedBodyError extends ApiError {
  constructor(message: string, detail: string, code: string, field = 'body') {
    super({
      status: 400,
      slug: 'malformed-body',
      title: 'The request body cannot be read',
      detail,
      errors: [{ field, message, code }],
      extensions: { fields: [field] },
    });
  }
}

/** 413: the body (as sent, or once decompressed) exceeds GCM_API_BODY_LIMIT. */
export class BodyTooLargeError extends ApiError {
  constructor(limitBytes: number, decompressed = false) {
    super({
      status: 413,
      slug: 'body-too-large',
      title: 'Request body too large',
      detail: `The request body${decompressed ? ' decompresses to more than' : ' exceeds'} the limit of ${limitBytes} bytes (GCM_API_BODY_LIMIT).`,
      extensions: { limitBytes },
    });
  }
}

/** 415: a Content-Type the route does not take, or a Content-Encoding the API does not decode. */
export class UnsupportedMediaTypeError extends ApiError {
  constructor(detail: string, field: 'Content-Type' | 'Content-Encoding', headers: Record<string, string> = {}) {
    super({
      status: 415,
      slug: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail,
      errors: [{ field, message: detail }],
      extensions: { fields: [field] },
      headers,
    });
  }
}
