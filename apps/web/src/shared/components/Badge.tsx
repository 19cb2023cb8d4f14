const TONES: Record<string, 'good' | 'bad' | 'neutral'> = {
  active: 'good',
  success: 'good',
  suspended: 'bad',
  disabled: 'bad',
  revoked: 'bad',
  denied: 'bad',
  failure: 'bad',
  expired: 'neutral',
};

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge--${TONES[value] ?? 'neutral'}`}>{value}</span>;
}
