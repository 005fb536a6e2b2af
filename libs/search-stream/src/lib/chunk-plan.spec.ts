import { ChunkPlan, DAY_MS } from './chunk-plan';
import { SearchCriteriaError } from './search-stream.error';

const t = (iso: string) => Date.parse(iso);

describe('ChunkPlan', () => {
  it('cuts a window at UTC midnights, clamping the first and last chunk to the window', () => {
    const plan = new ChunkPlan(t('2026-01-01T06:00:00Z'), t('2026-01-03T12:00:00Z'), DAY_MS, 'started');
    expect(plan.count).toBe(3);
    expect([0, 1, 2].map((i) => plan.chunk(i))).toEqual([
      { index: 0, startMs: t('2026-01-01T06:00:00Z'), endMs: t('2026-01-02T00:00:00Z') },
      { index: 1, startMs: t('2026-01-02T00:00:00Z'), endMs: t('2026-01-03T00:00:00Z') },
      { index: 2, startMs: t('2026-01-03T00:00:00Z'), endMs: t('2026-01-03T12:00:00Z') },
    ]);
    expect(() => plan.chunk(3)).toThrow(RangeError);
  });

  it('a window inside one chunk is one chunk; 30 aligned days are 30', () => {
    expect(new ChunkPlan(t('2026-01-01T01:00:00Z'), t('2026-01-01T02:00:00Z'), DAY_MS, 'started').count).toBe(1);
    expect(new ChunkPlan(t('2026-01-01T00:00:00Z'), t('2026-01-31T00:00:00Z'), DAY_MS, 'started').count).toBe(30);
  });

  it('owns every instant of the window by exactly the chunk containing it', () => {
    const plan = new ChunkPlan(t('2026-01-01T06:00:00Z'), t('2026-01-03T12:00:00Z'), DAY_MS, 'started');
    for (let ms = plan.startMs; ms < plan.endMs; ms += 3_600_000 - 7) {
      const owner = plan.owner(ms)!;
      const chunk = plan.chunk(owner);
      expect(ms >= chunk.startMs && ms < chunk.endMs).toBe(true);
    }
    expect(plan.owner(t('2026-01-02T00:00:00Z'))).toBe(1);
    expect(plan.owner(plan.endMs)).toBeUndefined();
  });

  it("'started' owns nothing before the window; 'activity' gives it to the first chunk", () => {
    const start = t('2026-01-01T06:00:00Z');
    expect(new ChunkPlan(start, start + DAY_MS, DAY_MS, 'started').owner(start - 1)).toBeUndefined();
    expect(new ChunkPlan(start, start + DAY_MS, DAY_MS, 'activity').owner(start - 5 * DAY_MS)).toBe(0);
  });

  it('refuses chunk lengths that straddle UTC midnights', () => {
    expect(() => new ChunkPlan(0, DAY_MS, 7 * 3_600_000, 'started')).toThrow(SearchCriteriaError);
    expect(() => new ChunkPlan(0, DAY_MS, 1_000, 'started')).toThrow(/≥ 60000/);
    expect(new ChunkPlan(0, 4 * DAY_MS, 2 * DAY_MS, 'started').count).toBe(2);
  });
});
