// ClassUses: what the end of a run knows of the complete jobs without reading their legends back.
import { describe, expect, it } from 'vitest';
import { ClassUses } from '../src/export/class-uses.js';
import type { JobLegend, LegendEntry } from '../src/export/legend.js';

function legend(entries: Array<Pick<LegendEntry, 'key' | 'class' | 'name'> & { class_id?: string }>): JobLegend {
  return { labels: 'class', instances: false, legend: entries.map((entry) => ({ instance: entry.key, ...entry })) };
}

describe('ClassUses', () => {
  it('keeps each class once, by class_id or else by name, in the order first recorded', () => {
    const uses = new ClassUses();
    uses.add(
      'jobs/a',
      legend([
        { key: 1, class: 2, name: 'car' },
        { key: 2, class: 2, name: 'car' },
      ]),
    );
    uses.add(
      'jobs/b',
      legend([
        { key: 1, class: 1, name: 'tree', class_id: 'T' },
        { key: 5, class: 3, name: 'car' },
      ]),
    );
    uses.add('jobs/c', legend([{ key: 3, class: 1, name: 'renamed tree', class_id: 'T' }]));
    uses.add('jobs/d', legend([]));
    expect(uses.classes).toEqual([{ name: 'car' }, { name: 'tree', classId: 'T' }]);
  });

  it('finds exactly the jobs whose files hold an id that differs from the final one, for any class', () => {
    const uses = new ClassUses();
    uses.add('jobs/a', legend([{ key: 1, class: 1, name: 'car' }]));
    uses.add(
      'jobs/b',
      legend([
        { key: 1, class: 1, name: 'bus' },
        { key: 2, class: 2, name: 'car' },
      ]),
    );
    uses.add(
      'jobs/c',
      legend([
        { key: 4, class: 2, name: 'car' },
        { key: 9, class: 1, name: 'bus' },
      ]),
    );
    uses.add('jobs/d', legend([]));
    const sorted = (jobClass: { name: string }) => ['bus', 'car'].indexOf(jobClass.name) + 1;
    expect(uses.stale(sorted)).toEqual(['jobs/a']);
    expect(uses.stale(() => 1)).toEqual(['jobs/b', 'jobs/c']);
    expect(uses.stale((jobClass) => (jobClass.name === 'car' ? 1 : 2))).toEqual(['jobs/b', 'jobs/c']);
    expect(uses.stale((jobClass) => (jobClass.name === 'car' ? 2 : 1))).toEqual(['jobs/a']);
  });
});
