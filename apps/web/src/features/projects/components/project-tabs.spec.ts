import { describe, expect, it } from 'vitest';
import type { ProjectPermissions } from './member-roles';
import { projectPath, tabFromSearch, tabsFor } from './project-tabs';

const ALL: ProjectPermissions = {
  update: true,
  archive: true,
  members: true,
  changeMembers: true,
  importTasks: true,
  listTasks: true,
  uploadAssets: true,
  exportData: true,
  identities: false,
  stats: true,
};

describe('project tabs', () => {
  it('offers only the sections the person may use', () => {
    expect(tabsFor(ALL)).toEqual([
      'overview',
      'settings',
      'configuration',
      'import',
      'tasks',
      'members',
      'export',
      'statistics',
    ]);
    const archived = { ...ALL, importTasks: false, uploadAssets: false };
    expect(tabsFor(archived)).not.toContain('import');
  });

  it('reads the tab from the address and falls back to the overview', () => {
    const tabs = tabsFor({ ...ALL, stats: false });
    expect(tabFromSearch('?tab=members', tabs)).toBe('members');
    expect(tabFromSearch('?tab=statistics', tabs)).toBe('overview');
    expect(tabFromSearch('?tab=nonsense', tabs)).toBe('overview');
    expect(tabFromSearch('', tabs)).toBe('overview');
  });

  it('writes addresses the router reads back', () => {
    expect(projectPath('abc')).toBe('/projects/abc');
    expect(projectPath('abc', 'overview')).toBe('/projects/abc');
    expect(projectPath('abc', 'export')).toBe('/projects/abc?tab=export');
  });
});
