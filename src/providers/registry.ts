/**
 * The providers a fleet can use, by id. Built by the composition function (never at import time),
 * so tests and shells each get their own set.
 */
import { ImagefleetError } from '../core/errors.js';
import type { ImageProvider } from './contract.js';

export class ProviderRegistry {
  // A Map keeps registration order, so list() (and pickers built from it) is stable.
  private readonly providers = new Map<string, ImageProvider>();

  /** Adds a provider. Fails with `conflict` if its id is taken: use `replace` to swap one on purpose. */
  register(provider: ImageProvider): void {
    if (this.providers.has(provider.id)) {
      throw new ImagefleetError('conflict', `A provider with id "${provider.id}" is already registered; use replace() to swap it.`);
    }
    this.providers.set(provider.id, provider);
  }

  /**
   * Installs a provider in place of the one with the same id (e.g. rebuilt after its key changed),
   * keeping its position in `list()`; adds it when there is none.
   */
  replace(provider: ImageProvider): void {
    this.providers.set(provider.id, provider);
  }

  /** The provider with this id; fails with `invalid_input` naming the known ids. */
  get(id: string): ImageProvider {
    const provider = this.providers.get(id);
    if (provider) return provider;
    const known = [...this.providers.keys()];
    const knownText = known.length > 0 ? known.join(', ') : '(none registered)';
    throw new ImagefleetError('invalid_input', `Unknown provider "${id}". Known providers: ${knownText}.`, {
      issues: [{ path: 'provider', message: `unknown provider; use one of: ${knownText}` }],
    });
  }

  /** Whether a provider with this id is registered. */
  has(id: string): boolean {
    return this.providers.has(id);
  }

  /** Every registered provider, in registration order. */
  list(): ImageProvider[] {
    return [...this.providers.values()];
  }
}
