import type { Metadata } from 'next';
import { StudioScreen } from './_components/studio-screen.js';

export const metadata: Metadata = {
  title: 'Studio · imagefleet',
  description: 'Semi-automatic mode: references and prompts in sets of 1, 2 or 4, with seeds.',
};

/** Studio (Semi-Automatic mode): everything is live client state over the API. */
export default function StudioPage() {
  return <StudioScreen />;
}
