import type { Metadata } from 'next';
import { QueueView } from './_components/queue-view.js';

export const metadata: Metadata = { title: 'Queue' };

export default function QueuePage() {
  return <QueueView />;
}
