import type { FieldType, LabelConfig } from '@enclave/contracts';

/**
 * Made-up task data for the labelling preview when there is no real row yet: one plausible value per
 * field, of the shape its type needs.
 */

/** A grey picture with a caption, as a data URL (the page's policy allows data: images). */
export const PLACEHOLDER_IMAGE = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400">' +
    '<rect width="640" height="400" fill="#c9ced6"/>' +
    '<rect x="120" y="150" width="180" height="130" fill="#8b95a3"/>' +
    '<circle cx="470" cy="200" r="70" fill="#a3acb8"/>' +
    '<text x="320" y="370" font-family="sans-serif" font-size="22" text-anchor="middle" fill="#3d4650">sample image</text>' +
    '</svg>',
)}`;

const PLACEHOLDERS: Record<FieldType, (name: string) => unknown> = {
  text: () =>
    'The battery lasted two days in Berlin, but the charger from Acme Corp stopped working after a week.',
  markdown: (name) => `## ${name}\n\nA **sample** paragraph with a list:\n\n- first point\n- second point`,
  image: () => PLACEHOLDER_IMAGE,
  chat: () => [
    { role: 'user', content: 'Can you suggest a name for a bakery?' },
    { role: 'assistant', content: 'How about "Rise & Shine"? It is friendly and easy to remember.' },
  ],
  responses: () => [
    { id: 'a', text: 'Paris is the capital of France.' },
    { id: 'b', text: 'The capital of France is Paris, on the Seine.' },
  ],
};

export function placeholderData(config: LabelConfig): Record<string, unknown> {
  return Object.fromEntries(config.fields.map((f) => [f.name, PLACEHOLDERS[f.type](f.name)]));
}

/**
 * The preview's data: the real sample's value for every field it has with a value, a placeholder for
 * every field it lacks (a field added in the editor, a sample from an older configuration).
 */
export function previewData(config: LabelConfig, sample: Record<string, unknown> | null | undefined) {
  const base = placeholderData(config);
  if (!sample) return base;
  for (const f of config.fields) {
    const v = sample[f.name];
    if (v !== undefined && v !== null) base[f.name] = v;
  }
  return base;
}

/** A line of an NDJSON import for this configuration, to show what a task file looks like. */
export function exampleImportLine(config: LabelConfig): string {
  const data = placeholderData(config);
  for (const f of config.fields) if (f.type === 'image') data[f.name] = '<id of an uploaded image>';
  return [
    JSON.stringify({ externalId: 'task-1', data }),
    JSON.stringify({ externalId: 'task-2', priority: 5, data }),
  ].join('\n');
}
