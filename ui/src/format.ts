/** How times, sizes and statuses read in the console. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '—' : dateTime.format(new Date(ms));
}

export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The lozenge appearance ADS gives a status of this kind. */
export function appearance(status: string): 'success' | 'removed' | 'moved' | 'inprogress' | 'default' {
  switch (status) {
    case 'created':
    case 'commented':
    case 'sent':
      return 'success';
    case 'failed':
    case 'rejected':
    case 'refused':
    case 'dead':
      return 'removed';
    case 'held':
      return 'moved';
    case 'pending':
    case 'ready':
    case 'queued':
      return 'inprogress';
    default:
      return 'default';
  }
}
