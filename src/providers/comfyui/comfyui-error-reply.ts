/**
 * Reads an error reply of ComfyUI's HTTP API: `400 {"error": {type, message, details},
 * "node_errors": {"<id>": {"class_type", "errors": [{message, details}]}}}` when a workflow does
 * not validate (an unknown checkpoint or LoRA, a missing input), and the plain 4xx/5xx of a proxy.
 */
import type { ImagefleetError } from '../../core/errors.js';
import { providerError } from '../contract.js';
import { serverDownRetryMs } from '../stable-diffusion/server-request.js';
import { errorForStatus, parseErrorBody } from '../stable-diffusion/server-reply.js';

export function readComfyuiErrorReply(status: number, bodyText: string, action: string, where: string): ImagefleetError {
  const said = describeBody(bodyText);
  const quoted = said === '' ? `HTTP ${status}` : `HTTP ${status}: ${said}`;
  if (status === 401 || status === 403) {
    return providerError('paused', `The server at ${where} refused access (${quoted}) while ${action}. ComfyUI itself has no login: check the proxy in front of it and COMFYUI_BASE_URL; imagefleet tries again in ${serverDownRetryMs / 1000} s.`, {
      retryAfterMs: serverDownRetryMs,
    });
  }
  if (status === 404 && action.startsWith('queueing')) {
    return providerError('paused', `The server at ${where} has no ComfyUI API (${quoted}) while ${action}: check COMFYUI_BASE_URL. imagefleet tries again in ${serverDownRetryMs / 1000} s.`, { retryAfterMs: serverDownRetryMs });
  }
  return errorForStatus(status, `ComfyUI at ${where}`, quoted, action);
}

function describeBody(bodyText: string): string {
  const body = parseErrorBody(bodyText);
  if (typeof body === 'string') return body;
  const { error, node_errors: nodeErrors } = body as { error?: unknown; node_errors?: unknown };
  const parts: string[] = [];
  if (typeof error === 'string') parts.push(error);
  else if (typeof error === 'object' && error !== null) {
    const { message, details } = error as { message?: unknown; details?: unknown };
    parts.push([message, details].filter((part) => typeof part === 'string' && part !== '').join(': '));
  }
  if (typeof nodeErrors === 'object' && nodeErrors !== null) {
    for (const [nodeId, nodeError] of Object.entries(nodeErrors as Record<string, unknown>)) {
      const { class_type: classType, errors } = (nodeError ?? {}) as { class_type?: unknown; errors?: unknown };
      const messages = Array.isArray(errors)
        ? errors.map((item: unknown) => {
            const { message, details } = (item ?? {}) as { message?: unknown; details?: unknown };
            return [message, details].filter((part) => typeof part === 'string' && part !== '').join(': ');
          })
        : [];
      parts.push(`node ${nodeId}${typeof classType === 'string' ? ` (${classType})` : ''}: ${messages.join('; ')}`);
    }
  }
  return parts.filter((part) => part !== '').join('; ').slice(0, 800);
}
