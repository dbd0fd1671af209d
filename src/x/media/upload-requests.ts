import type { XClientCore } from '../client.js';
import type { MediaCategory, ProcessingState } from './types.js';

/**
 * The v2 dedicated upload endpoints (REFERENCE §4.1), one function each. Every step is idempotent
 * at X (a retried APPEND index replaces the earlier one, a repeated FINALIZE answers the same), so
 * all are sent with `idempotent: true` and the client's retry policy resends them on its own.
 */

/** Endpoint names as X's rate-limit tables have them. */
export const MEDIA_ENDPOINTS = {
  initialize: 'POST /2/media/upload/initialize',
  append: 'POST /2/media/upload/:id/append',
  finalize: 'POST /2/media/upload/:id/finalize',
  status: 'GET /2/media/upload',
  metadata: 'POST /2/media/metadata',
} as const;

export interface ProcessingInfo {
  state: ProcessingState;
  check_after_secs?: number;
  progress_percent?: number;
  error?: { code?: number; name?: string; message?: string };
}

/** FINALIZE's and STATUS's `data`. */
export interface MediaStatusData {
  id: string;
  media_key?: string;
  size?: number;
  expires_after_secs?: number;
  processing_info?: ProcessingInfo;
  image?: { w: number; h: number; image_type?: string };
  video?: { video_type?: string };
}

export interface InitializeData {
  id: string;
  media_key?: string;
  expires_after_secs?: number;
}

export async function initializeUpload(
  client: XClientCore,
  body: { mediaType: string; totalBytes: number; mediaCategory: MediaCategory; additionalOwners?: string[] },
  signal?: AbortSignal,
): Promise<InitializeData> {
  const response = await client.request<{ data: InitializeData }>({
    method: 'POST',
    path: '/2/media/upload/initialize',
    endpoint: MEDIA_ENDPOINTS.initialize,
    auth: { kind: 'user' },
    idempotent: true,
    json: {
      media_type: body.mediaType,
      total_bytes: body.totalBytes,
      media_category: body.mediaCategory,
      ...(body.additionalOwners?.length ? { additional_owners: body.additionalOwners } : {}),
    },
    signal,
  });
  return response.data.data;
}

/** One segment as multipart `segment_index` + `media`; X answers `{data:{expires_at}}` or an empty 2xx. */
export async function appendSegment(
  client: XClientCore,
  mediaId: string,
  index: number,
  bytes: Uint8Array | Blob,
  signal?: AbortSignal,
): Promise<void> {
  const form = new FormData();
  form.set('segment_index', String(index));
  form.set('media', bytes instanceof Blob ? bytes : new Blob([bytes]), 'blob');
  await client.request({
    method: 'POST',
    path: `/2/media/upload/${encodeURIComponent(mediaId)}/append`,
    endpoint: MEDIA_ENDPOINTS.append,
    auth: { kind: 'user' },
    idempotent: true,
    body: form,
    signal,
  });
}

export async function finalizeUpload(
  client: XClientCore,
  mediaId: string,
  signal?: AbortSignal,
): Promise<MediaStatusData> {
  const response = await client.request<{ data: MediaStatusData }>({
    method: 'POST',
    path: `/2/media/upload/${encodeURIComponent(mediaId)}/finalize`,
    endpoint: MEDIA_ENDPOINTS.finalize,
    auth: { kind: 'user' },
    idempotent: true,
    signal,
  });
  return response.data.data;
}

export async function uploadStatus(
  client: XClientCore,
  mediaId: string,
  signal?: AbortSignal,
): Promise<MediaStatusData> {
  const response = await client.request<{ data: MediaStatusData }>({
    method: 'GET',
    path: '/2/media/upload',
    endpoint: MEDIA_ENDPOINTS.status,
    query: { command: 'STATUS', media_id: mediaId },
    auth: { kind: 'user' },
    idempotent: true,
    signal,
  });
  return response.data.data;
}

/** Alt text (REFERENCE §4.1): `{"id","metadata":{"alt_text":{"text"}}}`; setting it twice is harmless. */
export async function setAltText(
  client: XClientCore,
  mediaId: string,
  text: string,
  signal?: AbortSignal,
): Promise<void> {
  await client.request({
    method: 'POST',
    path: '/2/media/metadata',
    endpoint: MEDIA_ENDPOINTS.metadata,
    auth: { kind: 'user' },
    idempotent: true,
    json: { id: mediaId, metadata: { alt_text: { text } } },
    signal,
  });
}
