/**
 * The "Download selection" control of the gallery and the job page: a link while the ids fit in
 * one, a posted form beyond that (see selection-download.ts), nothing when nothing is selected.
 */
import { buttonClasses } from '../../../_components/button.js';
import type { SelectionDownload } from './selection-download.js';

export function DownloadSelectionButton({ download }: { download: SelectionDownload }) {
  if (download.kind === 'link') {
    return (
      <a href={download.href} download data-testid="download-selection" className={buttonClasses('primary', 'small')}>
        Download selection
      </a>
    );
  }
  if (download.kind === 'form') {
    return (
      <form method="post" action={download.action}>
        <input type="hidden" name="ids" value={download.ids} />
        <button type="submit" data-testid="download-selection" className={buttonClasses('primary', 'small')}>
          Download selection
        </button>
      </form>
    );
  }
  return null;
}
