import type { Metadata } from 'next';
import { GalleryView } from './_components/gallery-view.js';

export const metadata: Metadata = { title: 'Gallery' };

export default async function GroupGalleryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <GalleryView groupId={id} />;
}
