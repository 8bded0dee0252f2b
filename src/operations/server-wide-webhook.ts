/** The server-wide webhook endpoint (`IMAGEFLEET_WEBHOOK_URL` with its secret and events), when both URL and secret are set. */
import type { Config } from '../config/config.js';
import type { NewWebhookEndpoint } from '../engine/ports.js';

export function serverWideWebhook(config: Pick<Config, 'webhooks'>): Omit<NewWebhookEndpoint, 'id'> | undefined {
  const { defaultUrl, defaultSecret, defaultEvents } = config.webhooks;
  return defaultUrl === undefined || defaultSecret === undefined ? undefined : { url: defaultUrl, secret: defaultSecret, eventTypes: defaultEvents };
}
