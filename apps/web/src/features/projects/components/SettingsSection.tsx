import { useState, type FormEvent } from 'react';
import type { ProjectView } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { describeError, formErrorsFrom } from '../../../shared/errors';
import { formatDateTime } from '../../../shared/format';
import { useArchiveProject, useUpdateProject } from '../hooks/useProjects';
import { ConfirmAction } from './ConfirmAction';
import { AboutFields, WorkflowFields } from './SettingsFields';
import {
  API_FIELD_TO_DRAFT,
  draftFromProject,
  settingsPatch,
  settingsValues,
  type SettingsDraft,
  type SettingsErrors,
} from './settings';

interface Props {
  project: ProjectView;
  canEdit: boolean;
  canArchive: boolean;
}

function serverErrors(error: unknown): { fields: SettingsErrors; general: string | null } {
  const e = formErrorsFrom(error);
  const fields: SettingsErrors = {};
  const rest: string[] = e.general ? [e.general] : [];
  for (const [path, message] of Object.entries(e.fields)) {
    const key = API_FIELD_TO_DRAFT[path];
    if (key) fields[key] = message;
    else rest.push(`${path}: ${message}`);
  }
  return { fields, general: rest.length > 0 ? rest.join(' ') : null };
}

export function SettingsSection({ project, canEdit, canArchive }: Props) {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromProject(project));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const update = useUpdateProject(project.id);
  const archive = useArchiveProject(project.id);

  function change(patch: Partial<SettingsDraft>) {
    setDraft((d) => ({ ...d, ...patch }));
    setSaved(false);
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setSaved(false);
    setGeneral(null);
    const checked = settingsValues(draft);
    if (!checked.ok) return setErrors(checked.errors);
    setErrors({});
    const patch = settingsPatch(checked.values, project);
    if (Object.keys(patch).length === 0) return setSaved(true);
    update.mutate(patch, {
      onSuccess: (p) => {
        setDraft(draftFromProject(p));
        setSaved(true);
      },
      onError: (error) => {
        const s = serverErrors(error);
        setErrors(s.fields);
        setGeneral(s.general);
      },
    });
  }

  return (
    <>
      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <form onSubmit={submit} noValidate className="settings-form">
          <AboutFields draft={draft} errors={errors} onChange={change} disabled={!canEdit} />
          <h3>Work flow</h3>
          <WorkflowFields draft={draft} errors={errors} onChange={change} disabled={!canEdit} />
          {canEdit ? (
            <div className="form-actions">
              {general ? <Alert tone="error">{general}</Alert> : null}
              {Object.keys(errors).length > 0 && !general ? (
                <Alert tone="error">Some settings need fixing: see the messages above.</Alert>
              ) : null}
              {saved ? <Alert tone="success">Settings saved.</Alert> : null}
              <button type="submit" className="btn btn--primary" disabled={update.isPending}>
                {update.isPending ? 'Saving…' : 'Save settings'}
              </button>
            </div>
          ) : null}
        </form>
      </section>

      {canArchive || project.status === 'archived' ? (
        <section className="card" aria-labelledby="archive-title">
          <h2 id="archive-title">Archive</h2>
          {project.status === 'archived' ? (
            <p>
              Archived {formatDateTime(project.archivedAt)}. Its data stays readable and exportable; it takes
              no new tasks, members or changes.
            </p>
          ) : (
            <>
              <p className="muted">
                Archiving ends every lease and stops all work on the project. Its data stays readable and
                exportable. It cannot be undone from here.
              </p>
              <ConfirmAction
                label="Archive project"
                question={`Archive “${project.name}”?`}
                confirmLabel="Yes, archive"
                onConfirm={() => archive.mutate()}
                pending={archive.isPending}
              />
              {archive.isError ? <Alert tone="error">{describeError(archive.error)}</Alert> : null}
            </>
          )}
        </section>
      ) : null}
    </>
  );
}
