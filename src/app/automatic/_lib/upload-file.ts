/**
 * Uploads one file as multipart/form-data with XMLHttpRequest, whose upload progress events give a
 * real per-file progress bar (fetch has no upload progress in browsers yet). Errors become the
 * same `ApiError` the rest of the app shows.
 */
import { ApiError, apiErrorFrom } from '../../_lib/api-client.js';

export interface UploadHandle<T> {
  result: Promise<{ status: number; body: T }>;
  abort: () => void;
}

export function uploadFile<T>(url: string, file: File, onProgress: (loadedBytes: number, totalBytes: number) => void): UploadHandle<T> {
  const request = new XMLHttpRequest();
  const result = new Promise<{ status: number; body: T }>((resolve, reject) => {
    request.open('POST', url);
    request.setRequestHeader('accept', 'application/json');
    request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        try {
          resolve({ status: request.status, body: JSON.parse(request.responseText) as T });
        } catch {
          reject(new ApiError(request.status, 'http_error', 'The server’s answer could not be read. Try again.'));
        }
      } else {
        reject(apiErrorFrom(request.status, request.responseText));
      }
    };
    request.onerror = () => reject(new ApiError(0, 'network', 'The upload was interrupted: the imagefleet server cannot be reached.'));
    request.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was stopped.'));
    const form = new FormData();
    form.append('file', file, file.name);
    request.send(form);
  });
  return { result, abort: () => request.abort() };
}
