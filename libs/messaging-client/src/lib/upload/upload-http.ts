/**
 * The PUT of file bytes to a pre-signed upload URL (agent media uploads and guest
 * attachments). Deliberately separate from the Genesys transport: the URL points at
 * storage, not at the API, and must never receive the Genesys bearer token.
 */
export interface UploadHttp {
  put(url: string, body: Uint8Array, headers: Record<string, string>, signal?: AbortSignal): Promise<{ status: number }>;
}

/** `UploadHttp` over the global fetch of Node 20. */
export const fetchUploadHttp: UploadHttp = {
  async put(url, body, headers, signal) {
    const response = await fetch(url, { method: 'PUT', body, headers, signal });
    // drain the body so the connection can be reused
    await response.arrayBuffer().catch(() => undefined);
    return { status: response.status };
  },
};

/** The URL without its query: pre-signed URLs carry their signature there. */
export function describeUploadUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export class MediaUploadError extends Error {
  readonly code = 'MEDIA_UPLOAD_FAILED';

  constructor(
    readonly status: number,
    url: string,
    detail?: string,
  ) {
    super(
      `Uploading the file to ${describeUploadUrl(url)} failed` +
        (status ? ` with HTTP ${status}` : '') +
        (detail ? `: ${detail}` : '') +
        '. The pre-signed URL may have expired; request a new upload and try again.',
    );
    this.name = 'MediaUploadError';
  }
}

/** PUTs the bytes and turns a non-2xx answer or a network failure into a MediaUploadError. */
export async function putUpload(
  http: UploadHttp,
  url: string,
  bytes: Uint8Array,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  let status: number;
  try {
    ({ status } = await http.put(url, bytes, headers, signal));
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new MediaUploadError(0, url, (error as Error)?.message);
  }
  if (status < 200 || status >= 300) throw new MediaUploadError(status, url);
}
