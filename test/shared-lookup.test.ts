import { describe, expect, it } from 'vitest';
import { SharedLookup } from '../src/realtime/shared-lookup.js';

describe('the per-event shared lookup', () => {
  it('loads once for subscribers that arrive at different moments, per key', async () => {
    const lookup = new SharedLookup();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: 'm1' };
    };
    const first = await lookup.get('event-1:q', load);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const later = await lookup.get('event-1:q', load);
    expect(later).toBe(first);
    expect(loads).toBe(1);
    await lookup.get('event-1:other-selection', load);
    await lookup.get('event-2:q', load);
    expect(loads).toBe(3);
  });

  it('does not keep a failed lookup, nor an expired one', async () => {
    const lookup = new SharedLookup(30);
    let loads = 0;
    await expect(
      lookup.get('e:q', async () => {
        loads++;
        throw new Error('database hiccup');
      }),
    ).rejects.toThrow('hiccup');
    expect(await lookup.get('e:q', async () => ++loads)).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(await lookup.get('e:q', async () => ++loads)).toBe(3);
  });
});
