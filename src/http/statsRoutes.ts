import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../domain/clock.ts';
import { computeStats, type InsightSource, type StatsOptions } from '../insight/computeStats.ts';
import { statsToCsv } from '../insight/statsCsv.ts';
import { parseStatsQuery } from '../insight/statsQuery.ts';
import type { StatsQuery } from '../insight/types.ts';
import { adminGuard } from './adminAuth.ts';
import { contentDisposition } from './contentDisposition.ts';

/**
 * The merchant's figures for their own tools (issue 9), behind the staff token like `/v1/cases`:
 * `GET /v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&channel=…` answers `Stats` as JSON (types.ts),
 * `GET /v1/stats.csv` (same query) the same figures as a CSV download (statsCsv.ts). Days are
 * UTC, both ends included; the last 30 days by default; a bad parameter is a 400 naming it.
 */
export function statsRoutes(options: {
  source: InsightSource;
  clock: Clock;
  adminToken: string | undefined;
  /** Abandonment window, page size, product names (see StatsOptions). */
  stats?: Omit<StatsOptions, 'clock'>;
}): FastifyPluginAsync {
  const { source, clock, adminToken } = options;
  const requireAdmin = adminGuard(adminToken);
  const compute = (query: StatsQuery) => computeStats(source, query, { ...options.stats, clock });

  return async (app) => {
    app.get('/v1/stats', async (request, reply) => {
      requireAdmin(request);
      const stats = await compute(parseStatsQuery(request.query, clock));
      // Figures of a moving period: never cached by a proxy or browser.
      return reply.header('cache-control', 'no-store').send(stats);
    });

    app.get('/v1/stats.csv', async (request, reply) => {
      requireAdmin(request);
      const query = parseStatsQuery(request.query, clock);
      const stats = await compute(query);
      const lastDay = new Date(query.to.getTime() - 1).toISOString().slice(0, 10);
      const name = `refund-stats_${query.from.toISOString().slice(0, 10)}_${lastDay}${query.channel ? `_${query.channel}` : ''}.csv`;
      return reply
        .header('content-type', 'text/csv; charset=utf-8; header=present')
        .header('content-disposition', contentDisposition(name))
        .header('cache-control', 'no-store')
        .send(statsToCsv(stats));
    });
  };
}
