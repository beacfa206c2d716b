import { describe, expect, it } from 'vitest';
import { canonicalName, isAtOrBelow, namesBelow, parentName } from './names.js';

describe('names', () => {
  it('folds only ASCII letters and drops the trailing dot', () => {
    expect(canonicalName('WWW.Example.CO.ZM.')).toBe('www.example.co.zm');
    expect(canonicalName('.')).toBe('');
    expect(canonicalName('ÄB.zm')).toBe('Äb.zm');
  });

  it('walks up and down the tree', () => {
    expect(parentName('a.b.c')).toBe('b.c');
    expect(parentName('c')).toBe('');
    expect(parentName('')).toBeUndefined();
    expect(isAtOrBelow('a.example.zm', 'example.zm')).toBe(true);
    expect(isAtOrBelow('example.zm', 'example.zm')).toBe(true);
    expect(isAtOrBelow('badexample.zm', 'example.zm')).toBe(false);
    expect(namesBelow('a.b.example.zm', 'example.zm')).toEqual(['b.example.zm', 'a.b.example.zm']);
    expect(namesBelow('example.zm', 'example.zm')).toEqual([]);
  });
});
