import type { Metadata } from 'next';
import { AutomaticView } from './_components/automatic-view.js';

export const metadata: Metadata = { title: 'Automatic' };

export default function AutomaticPage() {
  return <AutomaticView />;
}
