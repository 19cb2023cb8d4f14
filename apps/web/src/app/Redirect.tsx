import { useEffect } from 'react';
import { navigate } from './router';

/** Replaces the current entry, so Back does not bounce the person straight back here. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
