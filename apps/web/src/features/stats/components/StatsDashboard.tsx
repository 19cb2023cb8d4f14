import type { AnnotatorStats, ProjectStatsView, QuestionAgreement } from '@enclave/contracts';
import { Alert } from '../../../shared/components/Alert';
import { describeError } from '../../../shared/errors';
import { formatDateTime } from '../../../shared/format';
import { useProjectStats } from '../hooks/useStats';
import { BarChart } from './BarChart';
import { LineChart } from './LineChart';
import { formatDay, formatDuration, formatValue } from './scale';
import {
  agreementBars,
  goldBars,
  METRIC_LABELS,
  throughputBars,
  timelineSeries,
  type MetricKey,
} from './stats-view';

function Figure({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <div className="stat">
      <dt>{label}</dt>
      <dd>
        <span className="stat__value">{value}</span>
        {detail ? <span className="stat__detail">{detail}</span> : null}
      </dd>
    </div>
  );
}

function Progress({ progress }: { progress: ProjectStatsView['progress'] }) {
  const a = progress.annotations;
  return (
    <section className="card" aria-labelledby="stats-progress-title">
      <h2 id="stats-progress-title">Progress</h2>
      {progress.tasks === 0 ? (
        <p className="muted">No tasks yet: import some in the Import section, and progress shows here.</p>
      ) : (
        <progress
          className="stats-progress"
          max={100}
          value={progress.percentComplete ?? 0}
          aria-label="Share of tasks complete"
        />
      )}
      <dl className="stats-grid">
        <Figure
          label="Complete"
          value={
            progress.percentComplete === null ? '—' : formatValue(progress.percentComplete / 100, 'percent')
          }
          detail={`${formatValue(progress.completed, 'count')} of ${formatValue(progress.tasks, 'count')} tasks, ${progress.overlap} annotator${progress.overlap === 1 ? '' : 's'} each`}
        />
        <Figure label="Open tasks" value={formatValue(progress.open, 'count')} />
        <Figure
          label="Gold tasks"
          value={formatValue(progress.gold, 'count')}
          detail="not counted in progress"
        />
        <Figure
          label="Submitted"
          value={formatValue(a.submitted, 'count')}
          detail="awaiting or not needing review"
        />
        <Figure label="Accepted" value={formatValue(a.accepted, 'count')} />
        <Figure label="Rejected" value={formatValue(a.rejected, 'count')} />
        <Figure label="Drafts" value={formatValue(a.draft, 'count')} />
        <Figure label="Skipped" value={formatValue(progress.skipped, 'count')} />
      </dl>
    </section>
  );
}

function Timeline({ timeline, completed }: { timeline: ProjectStatsView['timeline']; completed: number }) {
  const t = timelineSeries(timeline, completed);
  const anyWork = t.submitted.some((n) => n > 0) || completed > 0;
  return (
    <section className="card" aria-labelledby="stats-timeline-title">
      <h2 id="stats-timeline-title">Progress over time</h2>
      {t.days.length === 0 || !anyWork ? (
        <p className="muted">
          Nothing submitted in the last 30 days. The chart fills in as annotators submit.
        </p>
      ) : (
        <>
          <p className="muted small">The last 30 days (UTC).</p>
          <LineChart
            title="Progress over time"
            description="Tasks complete at the end of each day, and annotations submitted each day."
            days={t.days}
            series={[
              {
                name: 'Tasks complete (total)',
                values: t.completedTotal ?? t.cumulativeCompleted,
                area: true,
              },
              { name: 'Annotations submitted that day', values: t.submitted },
            ]}
          />
          <details>
            <summary>Numbers by day</summary>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" className="num">
                      Submitted
                    </th>
                    <th scope="col" className="num">
                      Tasks completed
                    </th>
                    <th scope="col" className="num">
                      Complete, total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {t.days.map((day, i) =>
                    t.submitted[i] || t.completed[i] || i === t.days.length - 1 ? (
                      <tr key={day}>
                        <th scope="row">{formatDay(day)}</th>
                        <td className="num">{formatValue(t.submitted[i], 'count')}</td>
                        <td className="num">{formatValue(t.completed[i], 'count')}</td>
                        <td className="num">
                          {formatValue((t.completedTotal ?? t.cumulativeCompleted)[i], 'count')}
                        </td>
                      </tr>
                    ) : null,
                  )}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}

const METRIC_COLUMNS: MetricKey[] = [
  'krippendorffAlpha',
  'fleissKappa',
  'cohensKappa',
  'spanF1',
  'boxF1',
  'kendallTau',
];

function Agreement({ questions }: { questions: QuestionAgreement[] }) {
  const bars = agreementBars(questions);
  const columns = METRIC_COLUMNS.filter((k) => questions.some((q) => q[k] !== null && q[k] !== undefined));
  return (
    <section className="card" aria-labelledby="stats-agreement-title">
      <h2 id="stats-agreement-title">Agreement per question</h2>
      <p className="muted">
        How far annotators agree on the same task: 1 is full agreement, 0 what chance alone would give. Needs
        tasks labelled by two or more people (annotators per task ≥ 2).
      </p>
      {questions.length === 0 ? (
        <p className="muted">No questions to measure yet.</p>
      ) : (
        <>
          <BarChart
            title="Agreement per question"
            description="The headline agreement metric of each question."
            bars={bars}
            kind="score"
            domain={[Math.min(0, ...bars.map((b) => b.value ?? 0)) < 0 ? -1 : 0, 1]}
          />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Question</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="num">
                    Tasks
                  </th>
                  <th scope="col" className="num">
                    Annotators
                  </th>
                  {columns.map((k) => (
                    <th key={k} scope="col" className="num th--metric">
                      {METRIC_LABELS[k]}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {questions.map((q) => (
                  <tr key={q.name}>
                    <th scope="row">
                      <code>{q.name}</code>
                    </th>
                    <td>{q.type}</td>
                    <td className="num">
                      {formatValue(q.items, 'count')}
                      {q.sampled ? <span className="muted"> (sample)</span> : null}
                    </td>
                    <td className="num">{formatValue(q.annotators, 'count')}</td>
                    {columns.map((k) => (
                      <td key={k} className="num">
                        {formatValue(q[k], 'score')}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Annotators({ annotators }: { annotators: AnnotatorStats[] }) {
  const throughput = throughputBars(annotators);
  const gold = goldBars(annotators);
  return (
    <>
      <section className="card" aria-labelledby="stats-throughput-title">
        <h2 id="stats-throughput-title">Throughput per annotator</h2>
        {annotators.length === 0 ? (
          <p className="muted">
            No one has labelled yet. Add members in the Members section; their work shows here.
          </p>
        ) : (
          <BarChart
            title="Throughput per annotator"
            description="Annotations submitted by each annotator."
            bars={throughput}
            kind="count"
          />
        )}
      </section>
      <section className="card" aria-labelledby="stats-gold-title">
        <h2 id="stats-gold-title">Gold accuracy</h2>
        {gold.length === 0 ? (
          <p className="muted">
            No gold answers yet. Import tasks with a <code>gold</code> answer and set a share of gold tasks in
            Settings.
          </p>
        ) : (
          <BarChart
            title="Gold accuracy per annotator"
            description="The share of gold tasks each annotator answered correctly."
            bars={gold}
            kind="percent"
            domain={[0, 1]}
          />
        )}
      </section>
      {annotators.length > 0 ? (
        <section className="card" aria-labelledby="stats-annotators-title">
          <h2 id="stats-annotators-title">Annotators</h2>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Submitted
                  </th>
                  <th scope="col" className="num">
                    Accepted
                  </th>
                  <th scope="col" className="num">
                    Rejected
                  </th>
                  <th scope="col" className="num">
                    Drafts
                  </th>
                  <th scope="col" className="num">
                    Skipped
                  </th>
                  <th scope="col" className="num">
                    Median time
                  </th>
                  <th scope="col" className="num">
                    Gold accuracy
                  </th>
                  <th scope="col" className="num">
                    Agrees with majority
                  </th>
                  <th scope="col">Qualification</th>
                </tr>
              </thead>
              <tbody>
                {annotators.map((a) => (
                  <tr key={a.userId}>
                    <th scope="row">
                      {a.name}
                      {a.projectRole === null ? <span className="muted"> (no longer a member)</span> : null}
                    </th>
                    <td className="num">{formatValue(a.submitted, 'count')}</td>
                    <td className="num">{formatValue(a.accepted, 'count')}</td>
                    <td className="num">{formatValue(a.rejected, 'count')}</td>
                    <td className="num">{formatValue(a.drafts, 'count')}</td>
                    <td className="num">{formatValue(a.skipped, 'count')}</td>
                    <td className="num">{formatDuration(a.medianLeadTimeMs)}</td>
                    <td className="num">
                      {formatValue(a.goldAccuracy, 'percent')}
                      {a.goldAnswered > 0 ? <span className="muted"> of {a.goldAnswered}</span> : null}
                    </td>
                    <td className="num">
                      {formatValue(a.agreementWithMajority, 'percent')}
                      {a.comparedWithMajority > 0 ? (
                        <span className="muted"> of {a.comparedWithMajority}</span>
                      ) : null}
                    </td>
                    <td>
                      {a.qualification
                        ? `${a.qualification.status}${a.qualification.accuracy !== null ? ` (${formatValue(a.qualification.accuracy, 'percent')})` : ''}`
                        : '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}
    </>
  );
}

/** The project's statistics: progress, its course, agreement, throughput and gold accuracy. */
export function StatsDashboard({ projectId }: { projectId: string }) {
  const stats = useProjectStats(projectId);
  if (stats.isPending) return <p className="muted">Loading the statistics…</p>;
  if (stats.isError) {
    return (
      <Alert tone="error">
        {describeError(stats.error)}{' '}
        <button type="button" className="btn btn--small" onClick={() => void stats.refetch()}>
          Try again
        </button>
      </Alert>
    );
  }
  const s = stats.data;
  return (
    <div className="stats">
      <p className="muted small">
        Computed {formatDateTime(s.computedAt)} for configuration version {s.configVersion}; refreshes every
        30 seconds.{' '}
        <button
          type="button"
          className="btn btn--small btn--quiet"
          onClick={() => void stats.refetch()}
          disabled={stats.isFetching}
        >
          Refresh now
        </button>
      </p>
      <Progress progress={s.progress} />
      <Timeline timeline={s.timeline} completed={s.progress.completed} />
      <Agreement questions={s.questions} />
      <Annotators annotators={s.annotators} />
    </div>
  );
}
