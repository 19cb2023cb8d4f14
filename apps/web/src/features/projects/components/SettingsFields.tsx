import { useDeferredValue } from 'react';
import type { ReviewMode } from '@enclave/contracts';
import { renderMarkdown } from '../../labelling/editor/markdown';
import { SelectField, TextField } from '../../../shared/components/Field';
import type { SettingsDraft, SettingsErrors } from './settings';
import { TextAreaField } from './TextAreaField';

interface Props {
  draft: SettingsDraft;
  errors: SettingsErrors;
  onChange: (patch: Partial<SettingsDraft>) => void;
  disabled?: boolean;
}

const REVIEW_OPTIONS: { value: ReviewMode; label: string }[] = [
  { value: 'none', label: 'No review' },
  { value: 'all', label: 'Review every submission' },
  { value: 'sample', label: 'Review a sample' },
];

/** Name, description and the annotators' instructions. */
export function AboutFields({ draft, errors, onChange, disabled }: Props) {
  return (
    <>
      <TextField
        label="Name"
        value={draft.name}
        onValueChange={(name) => onChange({ name })}
        error={errors.name}
        required
        disabled={disabled}
        autoComplete="off"
      />
      <TextAreaField
        label="Description"
        value={draft.description}
        onValueChange={(description) => onChange({ description })}
        error={errors.description}
        hint="For the people who run the project; annotators see the instructions."
        rows={2}
        disabled={disabled}
      />
      <TextAreaField
        label="Instructions for annotators"
        value={draft.instructions}
        onValueChange={(instructions) => onChange({ instructions })}
        error={errors.instructions}
        hint="Markdown: # headings, **bold**, lists, tables, links. Shown beside every task."
        rows={8}
        className="text-area text-area--mono"
        disabled={disabled}
      />
      <InstructionsPreview source={draft.instructions} />
    </>
  );
}

/** The instructions as annotators will see them, rendered as the API renders them, while they are written. */
function InstructionsPreview({ source }: { source: string }) {
  const deferred = useDeferredValue(source);
  return (
    <details className="instructions-preview">
      <summary>Preview the instructions</summary>
      {deferred.trim() ? (
        // renderMarkdown: markdown-it without raw HTML or images, then DOMPurify (features/labelling).
        <div className="prose" dangerouslySetInnerHTML={{ __html: renderMarkdown(deferred) }} />
      ) : (
        <p className="muted">Nothing written yet.</p>
      )}
    </details>
  );
}

/** Overlap, lease, review, gold and qualification: how tasks flow. */
export function WorkflowFields({ draft, errors, onChange, disabled }: Props) {
  return (
    <div className="form-grid">
      <TextField
        label="Annotators per task"
        type="number"
        inputMode="numeric"
        min={1}
        max={50}
        value={draft.overlap}
        onValueChange={(overlap) => onChange({ overlap })}
        error={errors.overlap}
        hint="A task is complete when this many people have submitted it. 2 or more measures agreement."
        disabled={disabled}
      />
      <TextField
        label="Lease length (minutes)"
        type="number"
        inputMode="decimal"
        min={0.5}
        max={1440}
        step={0.5}
        value={draft.leaseMinutes}
        onValueChange={(leaseMinutes) => onChange({ leaseMinutes })}
        error={errors.leaseMinutes}
        hint="How long a task stays reserved for the annotator who opened it."
        disabled={disabled}
      />
      <SelectField
        label="Review"
        value={draft.reviewMode}
        options={REVIEW_OPTIONS}
        onValueChange={(reviewMode) => onChange({ reviewMode })}
        disabled={disabled}
      />
      {draft.reviewMode === 'sample' ? (
        <TextField
          label="Share to review (%)"
          type="number"
          inputMode="numeric"
          min={1}
          max={99}
          value={draft.reviewSamplePercent}
          onValueChange={(reviewSamplePercent) => onChange({ reviewSamplePercent })}
          error={errors.reviewSamplePercent}
          disabled={disabled}
        />
      ) : null}
      <TextField
        label="Gold tasks (% of each annotator's tasks)"
        type="number"
        inputMode="numeric"
        min={0}
        max={100}
        value={draft.goldPercent}
        onValueChange={(goldPercent) => onChange({ goldPercent })}
        error={errors.goldPercent}
        hint="Tasks imported with a known answer, mixed in to measure accuracy."
        disabled={disabled}
      />
      <fieldset className="field qualification">
        <legend>Qualification</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={draft.qualification}
            onChange={(e) => onChange({ qualification: e.target.checked })}
            disabled={disabled}
          />
          Annotators must pass gold tasks before real ones
        </label>
        {draft.qualification ? (
          <div className="qualification__fields">
            <TextField
              label="Gold tasks to pass"
              type="number"
              inputMode="numeric"
              min={1}
              max={100}
              value={draft.qualificationTasks}
              onValueChange={(qualificationTasks) => onChange({ qualificationTasks })}
              error={errors.qualificationTasks}
              disabled={disabled}
            />
            <TextField
              label="Minimum accuracy (%)"
              type="number"
              inputMode="decimal"
              min={0}
              max={100}
              value={draft.qualificationAccuracyPercent}
              onValueChange={(qualificationAccuracyPercent) => onChange({ qualificationAccuracyPercent })}
              error={errors.qualificationAccuracyPercent}
              disabled={disabled}
            />
          </div>
        ) : null}
      </fieldset>
    </div>
  );
}
