import { describe, expect, it } from 'vitest';
import { layoutFlow } from './flow-layout.js';

const node = (id: string, ...deps: string[]) => ({ id, dependsOn: deps.map((d) => ({ id: d })) });

describe('layoutFlow', () => {
  it('puts a diamond in three columns, dependencies first, rows by id', () => {
    const layout = layoutFlow([
      node('4', '2', '3'),
      node('10', '4'),
      node('1'),
      node('3', '1'),
      node('2', '1'),
    ]);
    expect(layout.nodes.map((p) => [p.node.id, p.column, p.row])).toEqual([
      ['1', 0, 0],
      ['2', 1, 0],
      ['3', 1, 1],
      ['4', 2, 0],
      ['10', 3, 0],
    ]);
    expect(layout.columns).toBe(4);
    expect(layout.rows).toBe(2);
    expect(layout.edges).toContainEqual({ from: '2', to: '4' });
  });

  it('places a job by its longest chain and leaves out edges to jobs not shown', () => {
    const layout = layoutFlow([node('1'), node('2', '1'), node('3', '1', '2', '99')]);
    expect(layout.nodes.find((p) => p.node.id === '3')?.column).toBe(2);
    expect(layout.edges).toEqual([
      { from: '1', to: '2' },
      { from: '1', to: '3' },
      { from: '2', to: '3' },
    ]);
  });
});
