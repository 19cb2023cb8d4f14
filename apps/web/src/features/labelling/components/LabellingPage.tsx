import { useCallback, useEffect, useRef, useState } from 'react';
import type { LabelConfig, ProjectView } from '@enclave/contracts';
import { isApiError } from '../../../api/client';
import { canLabelIn } from '../../../app/access';
import { Link } from '../../../app/Link';
import type { PageProps } from '../../../app/Routes';
import { Alert } from '../../../shared/components/Alert';
import { describeError } from '../../../shared/errors';
import { ProjectGate } from '../../my-projects/components/ProjectGate';
import { skipTask, submitAnnotation } from '../api/labelling';
import { LabelEditor, type LabelEditorHandle } from '../editor/LabelEditor';
import {
  checkBeforeSubmit,
  errorsByQuestion,
  initialValue,
  type EditorValue,
  type QuestionErrors,
} from '../editor/result';
import { isTypingTarget, pageCommand } from '../editor/shortcuts';
import { useHistory } from '../editor/useHistory';
import { useDraftSaver, type DraftStatus } from '../hooks/useDraftSaver';
import { useLabellingQueue, type ShownTask } from '../hooks/useLabellingQueue';
import { Instructions } from './Instructions';
import { LeaseTimer } from './LeaseTimer';
import { ShortcutSheet } from './ShortcutSheet';
import { SkipDialog } from './SkipDialog';

const NO_ERRORS: QuestionErrors = { byQuestion: {}, general: [] };

/** `/projects/:id/label`: the project's queue, one task at a time. */
export function LabellingPage({ params }: PageProps) {
  return (
    <ProjectGate
      projectId={params.id ?? ''}
      allowed={canLabelIn}
      notAllowed="You are not a member of this project, so it has no tasks for you. A manager of the project can add you to it."
    >
      {(project) => <LabellingQueue project={project} />}
    </ProjectGate>
  );
}

function LabellingQueue({ project }: { project: ProjectView }) {
  const { state, reload, advance } = useLabellingQueue(project.id);

  if (state.status === 'loading') {
    return (
      <p className="muted" role="status">
        Getting your next task…
      </p>
    );
  }
  if (state.status === 'empty') {
    return (
      <section className="card status-page empty-queue">
        <h1>Nothing left for you in this project</h1>
        <p className="muted">
          Every task of “{project.name}” that needs you is done or taken. New tasks may arrive later.
        </p>
        <p className="actions-row">
          <Link to="/projects" className="btn btn--primary">
            Back to projects
          </Link>
          <button type="button" className="btn" onClick={() => void reload()}>
            Check again
          </button>
        </p>
      </section>
    );
  }
  if (state.status === 'failed') {
    const qualification = isApiError(state.error) && state.error.code === 'QUALIFICATION_FAILED';
    return (
      <section className="card status-page" role="alert">
        <h1>{qualification ? 'Qualification not passed' : 'No task could be fetched'}</h1>
        <p>{describeError(state.error)}</p>
        <p className="actions-row">
          <Link to="/projects" className={qualification ? 'btn btn--primary' : 'btn'}>
            Back to projects
          </Link>
          {!qualification ? (
            <button type="button" className="btn btn--primary" onClick={() => void reload()}>
              Try again
            </button>
          ) : null}
        </p>
      </section>
    );
  }
  return <TaskScreen project={project} task={state.task} advance={advance} reload={reload} />;
}

function DraftStatusView({ status }: { status: DraftStatus }) {
  let text = '';
  if (status.state === 'restored') text = 'Draft restored';
  else if (status.state === 'pending' || status.state === 'saving') text = 'Saving draft…';
  else if (status.state === 'saved')
    text = `Draft saved ${status.at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}`;
  else if (status.state === 'failed') text = `Draft not saved: ${describeError(status.error)}`;
  return (
    <span className={`draft-status${status.state === 'failed' ? ' draft-status--failed' : ''}`} role="status">
      {text}
    </span>
  );
}

interface TaskScreenProps {
  project: ProjectView;
  task: ShownTask;
  advance: () => Promise<void>;
  reload: () => Promise<void>;
}

function TaskScreen({ project, task, advance, reload }: TaskScreenProps) {
  const config: LabelConfig = project.labelConfig;
  const history = useHistory<EditorValue>(initialValue(config, task.draft?.result));
  const editor = useRef<LabelEditorHandle>(null);
  const [errors, setErrors] = useState<QuestionErrors>(NO_ERRORS);
  const [failure, setFailure] = useState<{ message: string; leaseLost: boolean } | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [skipOpen, setSkipOpen] = useState(false);
  const [skipping, setSkipping] = useState(false);
  const [skipError, setSkipError] = useState<unknown>(null);
  const [sheetOpen, setSheetOpen] = useState(false);
  const [shownTaskId, setShownTaskId] = useState(task.task.id);
  const drafts = useDraftSaver(task.task.id, history.value, task.draft?.updatedAt ?? null);

  // The next task: its own answers, no errors, focus on the editor so its keys work at once.
  if (shownTaskId !== task.task.id) {
    setShownTaskId(task.task.id);
    history.reset(initialValue(config, task.draft?.result));
    setErrors(NO_ERRORS);
    setFailure(null);
  }
  useEffect(() => {
    editor.current?.focus();
  }, [task.task.id]);

  const onChange = useCallback(
    (next: EditorValue, change?: { coalesceKey?: string }) => history.set(next, change?.coalesceKey),
    [history],
  );

  const submit = useCallback(async () => {
    if (submitting) return;
    const problems = checkBeforeSubmit(config, task.task.data, history.value);
    if (problems) {
      setErrors(problems);
      setFailure(null);
      focusFirstProblem(problems);
      return;
    }
    setSubmitting(true);
    setErrors(NO_ERRORS);
    setFailure(null);
    try {
      await drafts.settle();
      await submitAnnotation(task.task.id, history.value, Date.now() - task.shownAt);
      await advance();
    } catch (error) {
      if (isApiError(error) && error.status === 400 && error.details.length > 0) {
        const placed = errorsByQuestion(config, error.details);
        setErrors(placed);
        focusFirstProblem(placed);
      } else if (isApiError(error) && error.status === 409 && error.code === 'LEASE_LOST') {
        setFailure({
          message:
            'Your lease on this task ran out and the task no longer needs your answer, so it was not saved. Go on to the next task.',
          leaseLost: true,
        });
      } else {
        setFailure({
          message: `${describeError(error)} Your answers are still here; try submitting again.`,
          leaseLost: false,
        });
      }
    } finally {
      setSubmitting(false);
    }
  }, [submitting, config, task, history.value, drafts, advance]);

  async function skip(reason: string) {
    setSkipping(true);
    setSkipError(null);
    try {
      await drafts.settle();
      await skipTask(task.task.id, reason);
      setSkipOpen(false);
      await advance();
    } catch (error) {
      setSkipError(error);
    } finally {
      setSkipping(false);
    }
  }

  function focusFirstProblem(problems: QuestionErrors) {
    const first = config.questions.findIndex((q) => problems.byQuestion[q.name]);
    if (first < 0) return;
    const section = document.querySelector<HTMLElement>(`[data-question="${config.questions[first]!.name}"]`);
    section?.scrollIntoView({ block: 'center' });
    section
      ?.querySelector<HTMLElement>('input:not([disabled]), textarea, select, [tabindex="0"], button')
      ?.focus();
  }

  // The screen's own keys; the editor handles the question keys before these see them.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (skipOpen || sheetOpen || e.defaultPrevented) return;
      const typing = isTypingTarget(e.target);
      const command = pageCommand(e, typing);
      if (!command) {
        // Focus on the page around the editor (after a click on the instructions, say): question
        // keys still answer the active question.
        const target = e.target instanceof Node ? e.target : null;
        if (!typing && !editor.current?.contains(target) && editor.current?.handleKey(e)) e.preventDefault();
        return;
      }
      e.preventDefault();
      if (command === 'submit') void submit();
      else if (command === 'undo') history.undo();
      else if (command === 'redo') history.redo();
      else if (command === 'help') setSheetOpen(true);
      else if (command === 'next-question') editor.current?.moveQuestion(1);
      else if (command === 'previous-question') editor.current?.moveQuestion(-1);
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [skipOpen, sheetOpen, submit, history]);

  const problemCount = Object.keys(errors.byQuestion).length;
  return (
    <div className="labelling">
      <div className="labelling__bar">
        <div className="labelling__title">
          <Link to="/projects" className="labelling__back">
            ← My projects
          </Link>
          <h1>{project.name}</h1>
        </div>
        <div className="labelling__status">
          <LeaseTimer key={task.task.id} expiresAt={task.lease.expiresAt} />
          <DraftStatusView status={drafts.status} />
        </div>
        <div className="labelling__actions" role="toolbar" aria-label="Task actions">
          <button
            type="button"
            className="btn btn--small"
            onClick={history.undo}
            disabled={!history.canUndo}
            aria-keyshortcuts="Control+Z"
          >
            Undo
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={history.redo}
            disabled={!history.canRedo}
            aria-keyshortcuts="Control+Shift+Z"
          >
            Redo
          </button>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => setSheetOpen(true)}
            aria-keyshortcuts="?"
          >
            Shortcuts
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => {
              setSkipError(null);
              setSkipOpen(true);
            }}
            disabled={submitting}
          >
            Skip
          </button>
          <button
            type="button"
            className="btn btn--primary"
            onClick={() => void submit()}
            disabled={submitting}
            aria-keyshortcuts="Control+Enter"
          >
            {submitting ? 'Submitting…' : 'Submit'}
          </button>
        </div>
      </div>
      {problemCount > 0 || errors.general.length > 0 ? (
        <Alert tone="error">
          {problemCount > 0
            ? `${problemCount === 1 ? 'One question needs' : `${problemCount} questions need`} attention before you can submit: see the messages under ${problemCount === 1 ? 'it' : 'them'}.`
            : null}
          {errors.general.map((m) => (
            <span key={m}> {m}</span>
          ))}
        </Alert>
      ) : null}
      {failure ? (
        <Alert tone="error">
          {failure.message}{' '}
          {failure.leaseLost ? (
            <button type="button" className="btn btn--small" onClick={() => void reload()}>
              Next task
            </button>
          ) : null}
        </Alert>
      ) : null}
      <div className="labelling__body">
        <Instructions html={project.instructionsHtml} />
        <LabelEditor
          key={task.task.id}
          ref={editor}
          config={config}
          data={task.task.data}
          value={history.value}
          onChange={onChange}
          errors={errors.byQuestion}
        />
      </div>
      <p className="labelling__footer muted">
        <kbd>Ctrl</kbd>+<kbd>Enter</kbd> submits · <kbd>?</kbd> shows every shortcut
      </p>
      <SkipDialog
        key={`skip-${task.task.id}`}
        open={skipOpen}
        pending={skipping}
        error={skipError}
        onClose={() => setSkipOpen(false)}
        onSkip={(reason) => void skip(reason)}
      />
      <ShortcutSheet open={sheetOpen} onClose={() => setSheetOpen(false)} />
    </div>
  );
}
