import { useMemo, useState } from 'react';
import type { ProjectView } from '@enclave/contracts';
import { isApiError } from '../../../api/client';
import { Alert } from '../../../shared/components/Alert';
import { describeError } from '../../../shared/errors';
import { useSampleTask, useUpdateProject } from '../hooks/useProjects';
import { ConfigEditor } from './ConfigEditor';
import { ConfigPreview } from './ConfigPreview';
import { checkConfigText, configToText, sameConfig } from './config-text';

interface Props {
  project: ProjectView;
  canEdit: boolean;
  canReadTasks: boolean;
}

/** The project's label configuration: edit, check, preview, save (with a confirmation for breaking changes). */
export function ConfigSection({ project, canEdit, canReadTasks }: Props) {
  const saved = useMemo(() => configToText(project.labelConfig), [project.labelConfig]);
  const [text, setText] = useState(saved);
  const [base, setBase] = useState(saved);
  // Another save (this tab's or a refetch) moved the saved config: start from it when nothing is edited.
  if (saved !== base) {
    setBase(saved);
    if (text === base) setText(saved);
  }
  const check = useMemo(() => checkConfigText(text), [text]);
  const sample = useSampleTask(project.id, canReadTasks);
  const update = useUpdateProject(project.id);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);

  const changed = check.state === 'valid' && !sameConfig(check.config, project.labelConfig);
  const breaking =
    update.isError && isApiError(update.error) && update.error.code === 'CONFIG_BREAKING_CHANGE'
      ? update.error
      : null;

  function save(confirmBreakingChanges: boolean) {
    if (check.state !== 'valid') return;
    setSavedMessage(null);
    update.mutate(
      {
        labelConfig: check.value as ProjectView['labelConfig'],
        ...(confirmBreakingChanges ? { confirmBreakingChanges: true } : {}),
      },
      {
        onSuccess: (p) => {
          setSavedMessage(`Saved as version ${p.configVersion}. New tasks are labelled with it from now on.`);
          const next = configToText(p.labelConfig);
          setBase(next);
          setText(next);
        },
      },
    );
  }

  return (
    <section className="card" aria-labelledby="config-title">
      <div className="section-head">
        <h2 id="config-title">Label configuration</h2>
        <span className="muted">Version {project.configVersion}</span>
      </div>
      <div className="config-workbench">
        <ConfigEditor
          text={text}
          onTextChange={(t) => {
            setText(t);
            setSavedMessage(null);
            if (update.isError) update.reset();
          }}
          check={check}
          original={saved}
          readOnly={!canEdit}
        />
        <ConfigPreview
          config={check.state === 'valid' ? check.config : null}
          sample={sample.data?.data ?? null}
          stale={check.state !== 'valid'}
        />
      </div>
      {canEdit ? (
        <div className="form-actions">
          {breaking ? (
            <div className="alert alert--error" role="alert">
              <p>
                <strong>This change could invalidate annotations already made.</strong> They keep the
                configuration version they were made with; new work uses the new one.
              </p>
              <ul>
                {breaking.details.map((d, i) => (
                  <li key={i}>{d.message}</li>
                ))}
              </ul>
              <div className="form-actions__row">
                <button
                  type="button"
                  className="btn btn--danger-solid"
                  onClick={() => save(true)}
                  disabled={update.isPending}
                >
                  Apply anyway
                </button>
                <button type="button" className="btn btn--quiet" onClick={() => update.reset()}>
                  Keep editing
                </button>
              </div>
            </div>
          ) : update.isError ? (
            <Alert tone="error">
              {describeError(update.error)}
              {isApiError(update.error) && update.error.details.length > 0 ? (
                <ul>
                  {update.error.details.map((d, i) => (
                    <li key={i}>{d.path ? `${d.path}: ${d.message}` : d.message}</li>
                  ))}
                </ul>
              ) : null}
            </Alert>
          ) : null}
          {savedMessage ? <Alert tone="success">{savedMessage}</Alert> : null}
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => save(false)}
            disabled={!changed || update.isPending || Boolean(breaking)}
          >
            {update.isPending ? 'Saving…' : 'Save configuration'}
          </button>
          {!changed && check.state === 'valid' && !savedMessage ? (
            <span className="muted">No changes to save.</span>
          ) : null}
        </div>
      ) : (
        <p className="muted">You can read this configuration; only the project&rsquo;s managers change it.</p>
      )}
    </section>
  );
}
