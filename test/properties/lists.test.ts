// The Store's in-place list edits (src/adapter/lists.ts) do what splice does to the list.
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import { insertAt, removeAt } from '../../src/adapter/lists.ts';

test.prop([fc.array(fc.integer()), fc.nat(), fc.integer()])('insertAt(list, at, x) = list.splice(at, 0, x)', (list, n, x) => {
  const at = n % (list.length + 1);
  const mine = [...list], theirs = [...list];
  insertAt(mine, at, x);
  theirs.splice(at, 0, x);
  expect(mine).toEqual(theirs);
});

test.prop([fc.array(fc.integer(), { minLength: 1 }), fc.nat()])('removeAt(list, at) = list.splice(at, 1)', (list, n) => {
  const at = n % list.length;
  const mine = [...list], theirs = [...list];
  removeAt(mine, at);
  theirs.splice(at, 1);
  expect(mine).toEqual(theirs);
});
