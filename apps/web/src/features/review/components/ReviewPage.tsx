import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { ProjectView, ReviewInput, ReviewNextResponse } from '@enclave/contracts';
import { isApiError } from '../../../api/client';
import { canReviewIn } from '../../../app/access';
import { Link } from '../../../app/Link';
import type { PageProps } from '../../../app/Routes';
import { Alert } from '../../../shared/components/Alert';
import { describeError } from '../../../shared/errors';
import { formatDateTime } from '../../../shared/format';
import { Instructions } from '../../labelling/components/Instructions';
import { LeaseTimer } from '../../labelling/components/LeaseTimer';
import { LabelEditor, type LabelEditorHandle } from '../../labelling/editor/LabelEditor';
import {
  checkBeforeSubmit,
  errorsByQuestion,
  initialValue,
  type EditorValue,
  type QuestionErrors,
} from '../../labelling/editor/result';
import { isTypingTarget, pageCommand } from '../../labelling/editor/shortcuts';
import { useHistory } from '../../labelling/editor/useHistory';
import { ProjectGate } from '../../my-projects/components/ProjectGate';
import { reviewAnnotation } from '../api/review';
import { useReviewQueue } from '../hooks/useReviewQueue';

const NO_ERRORS: QuestionErrors = { byQuestion: {}, general: [] };

/** `/projects/:id/review`: submitted annotations, one at a time, to accept, reject or correct. */
export function ReviewPage({ params }: PageProps) {
  return (
    <ProjectGate
      projectId={params.id ?? ''}
      allowed={canReviewIn}
      notAllowed="Only the project’s reviewers and managers review its annotations."
    >
      {(project) => <ReviewQueue project={project} />}
    </ProjectGate>
  );
}

function ReviewQueue({ project }: { project: ProjectView }) {
  const { state, next } = useReviewQueue(project.id);
  if (state.status === 'loading') {
    return (
      <p className="muted" role="status">
        Getting the next annotation…
      </p>
    );
  }
  if (state.status === 'empty') {
    return (
      <section className="card status-page empty-queue">
        <h1>Nothing waiting for review</h1>
        <p className="muted">
          Every submitted annotation of “{project.name}” that needs a review has one, or is held by another
          reviewer.
        </p>
        <p className="actions-row">
          <Link to="/projects" className="btn btn--primary">
            Back to projects
          </Link>
          <button type="button" className="btn" onClick={() => void next()}>
            Check again
          </button>
        </p>
      </section>
    );
  }
  if (state.status === 'failed') {
    return (
      <section className="card status-page" role="alert">
        <h1>No annotation could be fetched</h1>
        <p>{describeError(state.error)}</p>
        <p className="actions-row">
          <Link to="/projects" className="btn">
            Back to projects
          </Link>
          <button type="button" className="btn btn--primary" onClick={() => void next()}>
            Try again
          </button>
        </p>
      </section>
    );
  }
  return <ReviewScreen key={state.item.annotation.id} project={project} item={state.item} next={next} />;
}

type Decision = 'accept' | 'reject' | 'correct';

function ReviewScreen({
  project,
  item,
  next,
}: {
  project: ProjectView;
  item: ReviewNextResponse;
  next: () => Promise<void>;
}) {
  const config = project.labelConfig;
  const original = initialValue(config, item.annotation.result);
  const history = useHistory<EditorValue>(original);
  const [correcting, setCorrecting] = useState(false);
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [errors, setErrors] = useState<QuestionErrors>(NO_ERRORS);
  const [failure, setFailure] = useState<string | null>(null);
  const [pending, setPending] = useState<Decision | null>(null);
  const editor = useRef<LabelEditorHandle>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const commentId = useId();

  useEffect(() => {
    editor.current?.focus();
  }, []);

  const decide = useCallback(
    async (decision: Decision) => {
      if (pending) return;
      setFailure(null);
      setCommentError(null);
      const trimmed = comment.trim();
      let input: ReviewInput;
      if (decision === 'reject') {
        if (!trimmed) {
          setCommentError(
            'Write what is wrong, so the annotator can do better next time; then press Reject.',
          );
          commentRef.current?.focus();
          return;
        }
        input = { verdict: 'reject', comment: trimmed };
      } else if (decision === 'correct') {
        const problems = checkBeforeSubmit(config, item.task.data, history.value);
        if (problems) {
          setErrors(problems);
          return;
        }
        input = {
          verdict: 'accept',
          correctedResult: history.value,
          ...(trimmed ? { comment: trimmed } : {}),
        };
      } else {
        input = { verdict: 'accept', ...(trimmed ? { comment: trimmed } : {}) };
      }
      setErrors(NO_ERRORS);
      setPending(decision);
      try {
        await reviewAnnotation(item.annotation.id, input);
        await next();
      } catch (error) {
        setPending(null);
        if (
          isApiError(error) &&
          error.status === 400 &&
          error.details.some((d) => d.path?.startsWith('correctedResult'))
        ) {
          setErrors(
            errorsByQuestion(
              config,
              error.details.map((d) => ({ ...d, path: d.path?.replace(/^correctedResult\.?/, '') })),
            ),
          );
        } else if (isApiError(error) && error.status === 409) {
          setFailure(`${describeError(error)} Go on to the next annotation.`);
        } else {
          setFailure(`${describeError(error)} Nothing was saved; try again.`);
        }
      }
    },
    [pending, comment, config, item, history.value, next],
  );

  // Undo and redo while correcting; Ctrl+Enter accepts (with the correction when correcting).
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.defaultPrevented) return;
      const command = pageCommand(e, isTypingTarget(e.target));
      if (command === 'submit') {
        e.preventDefault();
        void decide(correcting ? 'correct' : 'accept');
      } else if (correcting && command === 'undo') {
        e.preventDefault();
        history.undo();
      } else if (correcting && command === 'redo') {
        e.preventDefault();
        history.redo();
      } else if (command === 'next-question' || command === 'previous-question') {
        e.preventDefault();
        editor.current?.moveQuestion(command === 'next-question' ? 1 : -1);
      }
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [correcting, decide, history]);

  const a = item.annotation;
  const generalErrors = errors.general;
  const problemCount = Object.keys(errors.byQuestion).length;
  return (
    <div className="labelling review">
      <div className="labelling__bar">
        <div className="labelling__title">
          <Link to="/projects" className="labelling__back">
            ← My projects
          </Link>
          <h1>Review: {project.name}</h1>
        </div>
        <div className="labelling__status">
          <LeaseTimer expiresAt={item.review.expiresAt} label="Hold" />
          <span className="muted">
            Submitted {formatDateTime(a.submittedAt)}
            {a.revision > 1 ? ` · revision ${a.revision}` : ''}
            {a.configVersion !== project.configVersion
              ? ` · made with configuration v${a.configVersion}`
              : ''}
          </span>
        </div>
        <div className="labelling__actions" role="toolbar" aria-label="Review actions">
          {correcting ? (
            <>
              <button
                type="button"
                className="btn btn--small"
                onClick={history.undo}
                disabled={!history.canUndo}
              >
                Undo
              </button>
              <button
                type="button"
                className="btn btn--small"
                onClick={history.redo}
                disabled={!history.canRedo}
              >
                Redo
              </button>
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setCorrecting(false);
                  history.reset(original);
                  setErrors(NO_ERRORS);
                }}
                disabled={pending !== null}
              >
                Cancel correction
              </button>
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => void decide('correct')}
                disabled={pending !== null}
              >
                {pending === 'correct' ? 'Saving…' : 'Accept with correction'}
              </button>
            </>
          ) : (
            <>
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setCorrecting(true);
                  setCommentError(null);
                  editor.current?.focus();
                }}
                disabled={pending !== null}
              >
                Correct
              </button>
              <button
                type="button"
                className="btn btn--danger"
                onClick={() => void decide('reject')}
                disabled={pending !== null}
              >
                {pending === 'reject' ? 'Rejecting…' : 'Reject'}
              </button>
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => void decide('accept')}
                disabled={pending !== null}
              >
                {pending === 'accept' ? 'Accepting…' : 'Accept'}
              </button>
            </>
          )}
        </div>
      </div>
      {failure ? (
        <Alert tone="error">
          {failure}{' '}
          <button type="button" className="btn btn--small" onClick={() => void next()}>
            Next annotation
          </button>
        </Alert>
      ) : null}
      {problemCount > 0 || generalErrors.length > 0 ? (
        <Alert tone="error">
          {problemCount > 0 ? 'The correction is not complete: see the messages under the questions.' : null}
          {generalErrors.map((m) => (
            <span key={m}> {m}</span>
          ))}
        </Alert>
      ) : null}
      {correcting ? (
        <Alert tone="info">Correcting: change the answers, then choose “Accept with correction”.</Alert>
      ) : null}
      <div className="labelling__body">
        <Instructions html={project.instructionsHtml} />
        <div className="review__main">
          <LabelEditor
            ref={editor}
            config={config}
            data={item.task.data}
            value={history.value}
            onChange={(v, change) => history.set(v, change?.coalesceKey)}
            readOnly={!correcting}
            errors={errors.byQuestion}
          />
          <div className={`field review__comment${commentError ? ' field--invalid' : ''}`}>
            <label htmlFor={commentId}>Comment for the annotator (required to reject)</label>
            <textarea
              id={commentId}
              ref={commentRef}
              value={comment}
              rows={3}
              maxLength={5000}
              aria-invalid={commentError ? true : undefined}
              aria-describedby={commentError ? `${commentId}-error` : undefined}
              onChange={(e) => {
                setComment(e.target.value);
                if (commentError) setCommentError(null);
              }}
            />
            {commentError ? (
              <p id={`${commentId}-error`} className="field__error" role="alert">
                {commentError}
              </p>
            ) : null}
          </div>
        </div>
      </div>
    </div>
  );
}
