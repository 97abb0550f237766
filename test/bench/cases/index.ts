import type { CaseId } from '../bench-options.js';
import type { BenchCase } from './bench-case.js';
import { batchingCase } from './batching.js';
import { connectionsCase } from './connections.js';
import { fanoutCase } from './fanout.js';
import { filteredFanoutCase } from './filtered-fanout.js';
import { floodCase } from './flood.js';
import { geoFeedsCase } from './geo-feeds.js';
import { geoMatchingCase } from './geo-matching.js';
import { latencyCase } from './latency.js';
import { multiNodeCase } from './multi-node.js';
import { recordWritesCase } from './record-writes.js';
import { syncWritesCase } from './sync-writes.js';
import { rpcCase } from './rpc.js';
import { shardedRedisCase } from './sharded-redis.js';
import { databaseEventsCase } from './database-events.js';

/** Every case by id; the run order is CASE_IDS. */
export const CASES: Record<CaseId, BenchCase> = {
  fanout: fanoutCase,
  filtered: filteredFanoutCase,
  latency: latencyCase,
  connections: connectionsCase,
  sync: syncWritesCase,
  batching: batchingCase,
  multinode: multiNodeCase,
  flood: floodCase,
  geo: geoMatchingCase,
  geofeeds: geoFeedsCase,
  rpc: rpcCase,
  records: recordWritesCase,
  sharded: shardedRedisCase,
  dbevents: databaseEventsCase,
};

/**
 * The number each case has in BENCHMARKS.md (the issue's numbering; the batching experiment is 7,
 * issue 11's flood case 8, issue 13's geo matching 9 and end-to-end geo feeds 10, issue 14's RPC
 * case 11 and record writes 12, issue 15's sharded Redis case 13, issue 17's database events 14).
 */
export const CASE_NUMBERS: Record<CaseId, string> = {
  fanout: '1',
  filtered: '2',
  latency: '3',
  connections: '4',
  sync: '5',
  multinode: '6',
  batching: '7',
  flood: '8',
  geo: '9',
  geofeeds: '10',
  rpc: '11',
  records: '12',
  sharded: '13',
  dbevents: '14',
};
