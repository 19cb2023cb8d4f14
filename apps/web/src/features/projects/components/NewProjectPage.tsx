import { useMemo, useState, type FormEvent } from 'react';
import { findTemplate, type TemplateView } from '@enclave/contracts';
import { Link } from '../../../app/Link';
import { navigate } from '../../../app/router';
import { Alert } from '../../../shared/components/Alert';
import { describeError, formErrorsFrom } from '../../../shared/errors';
import { useCreateProject, useTemplates } from '../hooks/useProjects';
import { ConfigEditor } from './ConfigEditor';
import { ConfigPreview } from './ConfigPreview';
import { checkConfigText, configToText, sameConfig, STARTER_CONFIG } from './config-text';
import { createRequest } from './create-request';
import { projectPath } from './project-tabs';
import {
  API_FIELD_TO_DRAFT,
  draftFromProject,
  settingsValues,
  type SettingsDraft,
  type SettingsErrors,
} from './settings';
import { AboutFields, WorkflowFields } from './SettingsFields';

const SCRATCH = '';
const STARTER_TEXT = configToText(STARTER_CONFIG);

function TemplatePicker({
  templates,
  chosen,
  onChoose,
}: {
  templates: TemplateView[];
  chosen: string;
  onChoose: (id: string) => void;
}) {
  const options = [
    ...templates.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      meta: `${t.labelConfig.questions.length} question${t.labelConfig.questions.length === 1 ? '' : 's'}${t.sampleSize > 0 ? ` · ${t.sampleSize} sample tasks` : ''}`,
    })),
    {
      id: SCRATCH,
      name: 'From scratch',
      description: 'Write your own configuration of fields and questions.',
      meta: '',
    },
  ];
  return (
    <fieldset className="template-picker">
      <legend>Start from</legend>
      <div className="template-picker__grid">
        {options.map((o) => (
          <label
            key={o.id || 'scratch'}
            className={o.id === chosen ? 'template-card template-card--chosen' : 'template-card'}
          >
            <input
              type="radio"
              name="template"
              value={o.id}
              checked={o.id === chosen}
              onChange={() => onChoose(o.id)}
            />
            <span className="template-card__name">{o.name}</span>
            <span className="template-card__description">{o.description}</span>
            {o.meta ? <span className="template-card__meta">{o.meta}</span> : null}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

export function NewProjectPage() {
  const templates = useTemplates();
  const create = useCreateProject();
  const [templateId, setTemplateId] = useState<string>(SCRATCH);
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFromProject(null));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [text, setText] = useState(STARTER_TEXT);
  const [includeSample, setIncludeSample] = useState(true);
  const check = useMemo(() => checkConfigText(text), [text]);

  const template = templates.data?.find((t) => t.id === templateId) ?? null;
  const templateText = template ? configToText(template.labelConfig) : STARTER_TEXT;
  const configChanged =
    template !== null && check.state === 'valid' && !sameConfig(template.labelConfig, check.config);

  function chooseTemplate(id: string) {
    const next = templates.data?.find((t) => t.id === id) ?? null;
    const previous = template ? findTemplate(template.id) : null;
    setTemplateId(id);
    setText(next ? configToText(next.labelConfig) : STARTER_TEXT);
    // The template's guidelines replace the instructions, unless the person wrote their own.
    const guidelines = next ? (findTemplate(next.id)?.instructions ?? '') : '';
    setDraft((d) => ({
      ...d,
      instructions:
        d.instructions === '' || d.instructions === previous?.instructions ? guidelines : d.instructions,
      name: d.name === '' || d.name === template?.name ? (next?.name ?? '') : d.name,
    }));
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setGeneral(null);
    const values = settingsValues(draft);
    if (!values.ok) {
      setErrors(values.errors);
      return setGeneral('Some fields need fixing: see the messages beside them.');
    }
    setErrors({});
    if (check.state !== 'valid')
      return setGeneral('Fix the label configuration first: its problems are listed under it.');
    create.mutate(
      createRequest(values.values, template, { value: check.value, parsed: check.config }, includeSample),
      {
        onSuccess: (p) => navigate(projectPath(p.id, 'overview')),
        onError: (error) => {
          const f = formErrorsFrom(error);
          const fields: SettingsErrors = {};
          const rest: string[] = f.general ? [f.general] : [];
          for (const [path, message] of Object.entries(f.fields)) {
            const key = API_FIELD_TO_DRAFT[path];
            if (key) fields[key] = message;
            else rest.push(`${path}: ${message}`);
          }
          setErrors(fields);
          setGeneral(rest.join(' ') || describeError(error));
        },
      },
    );
  }

  return (
    <>
      <header className="page-header">
        <p className="breadcrumb">
          <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>
        </p>
        <h1>New project</h1>
        <p className="muted">Pick a template or start from scratch; you can change everything later.</p>
      </header>
      <form onSubmit={submit} noValidate>
        <section className="card" aria-labelledby="new-template-title">
          <h2 id="new-template-title">1. What will annotators do?</h2>
          {templates.isPending ? <p className="muted">Loading the templates…</p> : null}
          {templates.isError ? (
            <Alert tone="error">
              The templates could not be loaded ({describeError(templates.error)}). You can still start from
              scratch.
            </Alert>
          ) : null}
          <TemplatePicker templates={templates.data ?? []} chosen={templateId} onChoose={chooseTemplate} />
          {template && template.sampleSize > 0 ? (
            <label className="checkbox">
              <input
                type="checkbox"
                checked={includeSample && !configChanged}
                disabled={configChanged}
                onChange={(e) => setIncludeSample(e.target.checked)}
              />
              Include the template&rsquo;s {template.sampleSize} sample tasks
              {configChanged
                ? ' (only with the template’s own configuration: undo your changes to include them)'
                : ''}
            </label>
          ) : null}
        </section>

        <section className="card" aria-labelledby="new-config-title">
          <h2 id="new-config-title">2. Label configuration</h2>
          <div className="config-workbench">
            <ConfigEditor text={text} onTextChange={setText} check={check} original={templateText} />
            <ConfigPreview
              config={check.state === 'valid' ? check.config : null}
              stale={check.state !== 'valid'}
            />
          </div>
        </section>

        <section className="card" aria-labelledby="new-about-title">
          <h2 id="new-about-title">3. Name and instructions</h2>
          <AboutFields draft={draft} errors={errors} onChange={(p) => setDraft((d) => ({ ...d, ...p }))} />
        </section>

        <section className="card" aria-labelledby="new-flow-title">
          <h2 id="new-flow-title">4. Work flow</h2>
          <WorkflowFields draft={draft} errors={errors} onChange={(p) => setDraft((d) => ({ ...d, ...p }))} />
        </section>

        <div className="form-actions">
          {general ? <Alert tone="error">{general}</Alert> : null}
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create project'}
          </button>
        </div>
      </form>
    </>
  );
}
