import { describe, expect, it } from 'vitest';
import {
  isPlainLeftClick,
  loginPathFor,
  matchPath,
  matchRoute,
  pathTo,
  safeNextPath,
  splitHref,
} from './router';

describe('router helpers', () => {
  it('only follows a next parameter that stays on this origin', () => {
    expect(safeNextPath('?next=%2Fusers')).toBe('/users');
    expect(safeNextPath('?next=%2Faudit%3Faction%3Dauth.login')).toBe('/audit?action=auth.login');
    expect(safeNextPath('?next=%2F%2Fevil.example')).toBeNull();
    expect(safeNextPath('?next=%2F%5Cevil.example')).toBeNull();
    expect(safeNextPath('?next=https%3A%2F%2Fevil.example')).toBeNull();
    expect(safeNextPath('?next=%2Flogin')).toBeNull();
    expect(safeNextPath('')).toBeNull();
  });

  it('remembers where a signed-out person was going', () => {
    expect(loginPathFor({ pathname: '/users', search: '' })).toBe('/login?next=%2Fusers');
    expect(loginPathFor({ pathname: '/audit', search: '?x=1' })).toBe('/login?next=%2Faudit%3Fx%3D1');
    expect(loginPathFor({ pathname: '/', search: '' })).toBe('/login');
    expect(safeNextPath(loginPathFor({ pathname: '/tokens', search: '' }).slice('/login'.length))).toBe(
      '/tokens',
    );
  });

  it('splits an href into path and query', () => {
    expect(splitHref('/a?b=1')).toEqual({ pathname: '/a', search: '?b=1' });
    expect(splitHref('/a')).toEqual({ pathname: '/a', search: '' });
  });

  it('leaves modified and non-primary clicks to the browser', () => {
    const click = {
      button: 0,
      metaKey: false,
      altKey: false,
      ctrlKey: false,
      shiftKey: false,
      defaultPrevented: false,
    };
    expect(isPlainLeftClick(click)).toBe(true);
    expect(isPlainLeftClick({ ...click, ctrlKey: true })).toBe(false);
    expect(isPlainLeftClick({ ...click, metaKey: true })).toBe(false);
    expect(isPlainLeftClick({ ...click, button: 1 })).toBe(false);
    expect(isPlainLeftClick({ ...click, defaultPrevented: true })).toBe(false);
  });
});

describe('path parameters', () => {
  it('matches static segments and parameters, with or without a trailing slash', () => {
    expect(matchPath('/projects', '/projects')).toEqual({});
    expect(matchPath('/projects', '/projects/')).toEqual({});
    expect(matchPath('/projects/:id/label', '/projects/p1/label')).toEqual({ id: 'p1' });
    expect(matchPath('/projects/:id/members/:userId', '/projects/p1/members/u2')).toEqual({
      id: 'p1',
      userId: 'u2',
    });
  });

  it('refuses other paths: other segments, more or fewer of them, an empty parameter', () => {
    expect(matchPath('/projects/:id/label', '/projects/p1/review')).toBeNull();
    expect(matchPath('/projects/:id/label', '/projects/p1')).toBeNull();
    expect(matchPath('/projects/:id/label', '/projects/p1/label/x')).toBeNull();
    expect(matchPath('/projects/:id', '/projects')).toBeNull();
    expect(matchPath('/users', '/users-x')).toBeNull();
  });

  it('decodes parameters and refuses malformed escapes', () => {
    expect(matchPath('/projects/:id', '/projects/a%20b')).toEqual({ id: 'a b' });
    expect(matchPath('/projects/:id', '/projects/a%2Fb')).toEqual({ id: 'a/b' });
    expect(matchPath('/projects/:id', '/projects/%E0%A4%A')).toBeNull();
  });

  it('prefers the route with more static segments, whatever the order of the table', () => {
    const routes = [{ path: '/projects/:id' }, { path: '/projects/new' }, { path: '/projects' }];
    expect(matchRoute(routes, '/projects/new')?.route.path).toBe('/projects/new');
    expect(matchRoute(routes, '/projects/p1')).toEqual({ route: routes[0], params: { id: 'p1' } });
    expect(matchRoute(routes, '/projects')?.route.path).toBe('/projects');
    expect(matchRoute(routes, '/nothing')).toBeNull();
  });

  it('builds paths from patterns, encoding each parameter', () => {
    expect(pathTo('/projects/:id/label', { id: 'a/b?c' })).toBe('/projects/a%2Fb%3Fc/label');
    expect(matchPath('/projects/:id/label', pathTo('/projects/:id/label', { id: 'a/b?c' }))).toEqual({
      id: 'a/b?c',
    });
    expect(() => pathTo('/projects/:id', {})).toThrow(/missing route parameter id/);
  });
});
