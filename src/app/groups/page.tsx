import type { Metadata } from 'next';
import { GroupsView } from './_components/groups-view.js';

export const metadata: Metadata = { title: 'Groups' };

export default function GroupsPage() {
  return <GroupsView />;
}
