/** A stored upload as the composer's reference. */
import type { Asset } from '../../_lib/api-types.js';
import type { ReferenceImage } from './composer-draft.js';

export function referenceFromAsset(asset: Pick<Asset, 'id' | 'name'>): ReferenceImage {
  const id = encodeURIComponent(asset.id);
  return { id: asset.id, name: asset.name, url: `/api/uploads/${id}`, thumbUrl: `/api/uploads/${id}/thumb` };
}
