import type { ProjectPermissions } from './member-roles';

export const PROJECT_TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'settings', label: 'Settings' },
  { id: 'configuration', label: 'Configuration' },
  { id: 'import', label: 'Import' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'members', label: 'Members' },
  { id: 'export', label: 'Export' },
  { id: 'statistics', label: 'Statistics' },
] as const;
export type ProjectTab = (typeof PROJECT_TABS)[number]['id'];

/** The sections this person may open; reading settings and the configuration is open to every manager. */
export function tabsFor(p: ProjectPermissions): ProjectTab[] {
  const allowed: Record<ProjectTab, boolean> = {
    overview: true,
    settings: true,
    configuration: true,
    import: p.importTasks || p.uploadAssets,
    tasks: p.listTasks,
    members: p.members,
    export: p.exportData,
    statistics: p.stats,
  };
  return PROJECT_TABS.filter((t) => allowed[t.id]).map((t) => t.id);
}

/** `?tab=members` → `members`, when allowed; anything else → the overview. */
export function tabFromSearch(search: string, allowed: readonly ProjectTab[]): ProjectTab {
  const tab = new URLSearchParams(search).get('tab');
  return (allowed as readonly string[]).includes(tab ?? '') ? (tab as ProjectTab) : 'overview';
}

export function projectPath(id: string, tab?: ProjectTab): string {
  const base = `/projects/${encodeURIComponent(id)}`;
  return tab && tab !== 'overview' ? `${base}?tab=${tab}` : base;
}
