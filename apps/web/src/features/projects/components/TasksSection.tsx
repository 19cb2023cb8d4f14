import { useId, useState } from 'react';
import { TASK_STATUSES, type TaskStatus, type TaskView } from '@enclave/contracts';
import { SelectField } from '../../../shared/components/Field';
import { ListStatus } from '../../../shared/components/ListStatus';
import { formatDateTime, titleCase } from '../../../shared/format';
import { useTasks } from '../hooks/useProjects';

type Filter = TaskStatus | 'all';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'all', label: 'All tasks' },
  ...TASK_STATUSES.map((s) => ({ value: s, label: titleCase(s) })),
];

/** The first characters of a task's data, to recognise it by. */
export function dataPreview(data: Record<string, unknown>, max = 120): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}: ${text}`);
    if (parts.join(' · ').length > max) break;
  }
  const all = parts.join(' · ');
  return all.length > max ? `${all.slice(0, max - 1)}…` : all;
}

function TaskRow({ task }: { task: TaskView }) {
  return (
    <tr>
      <td>{task.externalId ? <code>{task.externalId}</code> : <span className="muted">—</span>}</td>
      <td className="task-data" title={JSON.stringify(task.data)}>
        {dataPreview(task.data)}
      </td>
      <td className="num">{task.priority}</td>
      <td>
        <span className={`badge ${task.status === 'completed' ? 'badge--good' : ''}`}>{task.status}</span>
        {task.gold ? (
          <span className="badge badge--gold" title={`Known answer: ${JSON.stringify(task.goldAnswer)}`}>
            gold
          </span>
        ) : null}
      </td>
      <td>{formatDateTime(task.createdAt)}</td>
    </tr>
  );
}

export function TasksSection({ projectId }: { projectId: string }) {
  const id = useId();
  const [filter, setFilter] = useState<Filter>('all');
  const tasks = useTasks(projectId, filter === 'all' ? undefined : filter);
  const items = tasks.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = tasks.data?.pages[0]?.counts;

  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Tasks</h2>
      {counts ? (
        <p className="muted">
          {counts.total.toLocaleString()} task{counts.total === 1 ? '' : 's'}: {counts.open.toLocaleString()}{' '}
          open, {counts.completed.toLocaleString()} completed.
        </p>
      ) : null}
      <div className="filter">
        <SelectField label="Status" value={filter} options={FILTERS} onValueChange={setFilter} />
      </div>
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">External id</th>
                <th scope="col">Data</th>
                <th scope="col" className="num">
                  Priority
                </th>
                <th scope="col">Status</th>
                <th scope="col">Imported</th>
              </tr>
            </thead>
            <tbody>
              {items.map((t) => (
                <TaskRow key={t.id} task={t} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ListStatus
        list={tasks}
        count={items.length}
        empty={
          filter === 'all' ? 'No tasks yet. Import a file in the Import section.' : `No ${filter} tasks.`
        }
      />
    </section>
  );
}
