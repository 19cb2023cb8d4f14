import { describe, expect, it } from 'vitest';
import { isPlainLeftClick, loginPathFor, safeNextPath, splitHref } from './router';

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
