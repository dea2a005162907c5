import { KeyedSerializer } from './keyed-serializer';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('KeyedSerializer', () => {
  it('runs tasks of one key one at a time, in arrival order, even when one fails', async () => {
    const serializer = new KeyedSerializer();
    const trace: string[] = [];
    const task = (name: string, fail = false) => async () => {
      trace.push(`start ${name}`);
      await tick();
      trace.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    };
    const results = await Promise.allSettled([serializer.run('a', task('1', true)), serializer.run('a', task('2')), serializer.run('a', task('3'))]);
    expect(trace).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  });

  it('runs tasks of different keys concurrently', async () => {
    const serializer = new KeyedSerializer();
    const trace: string[] = [];
    const task = (name: string) => async () => {
      trace.push(`start ${name}`);
      await tick();
      trace.push(`end ${name}`);
    };
    await Promise.all([serializer.run('a', task('a')), serializer.run('b', task('b'))]);
    expect(trace.slice(0, 2)).toEqual(['start a', 'start b']);
  });
});
