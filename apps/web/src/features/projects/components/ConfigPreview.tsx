import { Component, useMemo, useState, type ReactNode } from 'react';
import type { LabelConfig } from '@enclave/contracts';
import { LabelEditor } from '../../labelling/editor/LabelEditor';
import { previewData } from './sample-data';

/** A broken preview (a sample that does not fit the configuration) must not take the page with it. */
class PreviewBoundary extends Component<
  { children: ReactNode; resetKey: string },
  { error: Error | null; key: string }
> {
  override state = { error: null as Error | null, key: this.props.resetKey };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  static getDerivedStateFromProps(props: { resetKey: string }, state: { error: Error | null; key: string }) {
    return props.resetKey !== state.key ? { error: null, key: props.resetKey } : null;
  }
  override render() {
    if (this.state.error) {
      return (
        <p className="muted" role="status">
          The preview could not show this configuration with the sample data ({this.state.error.message}).
        </p>
      );
    }
    return this.props.children;
  }
}

interface ConfigPreviewProps {
  /** The configuration to show; null while the text does not parse (the last valid one stays). */
  config: LabelConfig | null;
  /** A real task's data, when the project has one; else made-up values per field type. */
  sample?: Record<string, unknown> | null;
  stale?: boolean;
}

/** The labelling screen as an annotator will see it, answers and all, on sample data; nothing is saved. */
export function ConfigPreview({ config, sample, stale }: ConfigPreviewProps) {
  const [last, setLast] = useState<LabelConfig | null>(config);
  if (config && config !== last) setLast(config);
  const shown = config ?? last;
  const key = useMemo(() => JSON.stringify(shown), [shown]);
  const data = useMemo(() => (shown ? previewData(shown, sample) : null), [shown, sample]);

  return (
    <section className="config-preview" aria-labelledby="config-preview-title">
      <h3 id="config-preview-title">Preview</h3>
      <p className="muted config-preview__note">
        {sample ? 'The first task of the project' : 'Made-up sample data'}; answers here are not saved.
        {stale && shown ? ' Showing the last valid configuration.' : ''}
      </p>
      {shown && data ? (
        <div className="config-preview__frame">
          <PreviewBoundary resetKey={key}>
            <PreviewEditor key={key} config={shown} data={data} />
          </PreviewBoundary>
        </div>
      ) : (
        <p className="muted">The preview appears once the configuration is valid.</p>
      )}
    </section>
  );
}

function PreviewEditor({ config, data }: { config: LabelConfig; data: Record<string, unknown> }) {
  const [value, setValue] = useState<Record<string, unknown>>({});
  return <LabelEditor config={config} data={data} value={value} onChange={setValue} />;
}
