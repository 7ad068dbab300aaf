import { describe, expect, it } from 'vitest';
import { buildHash, intParam, matchRoute, parseHash } from './router.ts';
import { href, routes } from './routes.ts';

describe('hash router', () => {
  it('parses the path and query of a hash', () => {
    expect(parseHash('')).toEqual({ path: '/', query: {} });
    expect(parseHash('#/')).toEqual({ path: '/', query: {} });
    expect(parseHash('#/countries/FRA?from=2000&to=2020')).toEqual({ path: '/countries/FRA', query: { from: '2000', to: '2020' } });
    expect(parseHash('#//compare/?countries=FRA%2CDEU')).toEqual({ path: '/compare', query: { countries: 'FRA,DEU' } });
  });

  it('matches routes with parameters, else not-found', () => {
    expect(matchRoute(routes, parseHash('#/countries/C%C3%B4te'))).toMatchObject({ name: 'country', params: { iso3: 'Côte' } });
    expect(matchRoute(routes, parseHash('#/'))).toMatchObject({ name: 'dashboard' });
    expect(matchRoute(routes, parseHash('#/admin?x=1'))).toMatchObject({ name: 'admin', query: { x: '1' } });
    expect(matchRoute(routes, parseHash('#/countries/FRA/extra')).name).toBe('not-found');
    expect(matchRoute(routes, parseHash('#/countries/%E0%A4%A')).name).toBe('not-found');
  });

  it('builds hashes that parse back to the same route', () => {
    const h = href('country', { iso3: 'FRA' }, { from: 2000, to: undefined, x: '' });
    expect(h).toBe('#/countries/FRA?from=2000');
    expect(matchRoute(routes, parseHash(h))).toMatchObject({ name: 'country', params: { iso3: 'FRA' }, query: { from: '2000' } });
    expect(buildHash('/a/:b', { b: 'x/y' })).toBe('#/a/x%2Fy');
    expect(() => buildHash('/a/:b')).toThrow(/Missing route parameter/);
  });

  it('reads integer query parameters safely', () => {
    expect(intParam('2020')).toBe(2020);
    expect(intParam(undefined)).toBeNull();
    expect(intParam('20x')).toBeNull();
    expect(intParam('-1', 5)).toBe(5);
  });
});
