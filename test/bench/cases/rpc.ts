import type { AckResult, RpcCallOffer, RpcOfferAnswer } from '../../../shared/index.js';
import { benchToken, openBenchSocket, REQUEST_TIMEOUT_MS, unwrap, type BenchSocket } from '../bench-socket.js';
import type { ServerKind, WriteLoadResult } from '../ipc-protocol.js';
import { LatencyHistogram, type LatencySummary } from '../latency-histogram.js';
import { waitForQuietMachine } from '../machine-load.js';
import { formatNumber, progress } from '../progress.js';
import { cpuBetween, ServerProcess } from '../server-process.js';
import { runWriteLoad } from '../write-load.js';
import type { BenchCase, BenchContext, BenchRow } from './bench-case.js';

/** Caller connections, and calls each keeps in flight. */
const CALLERS = 4;
const IN_FLIGHT_PER_CALLER = 8;
const RPC_NAME = 'bench/echo';

/** One server's closed-loop run: round trips per second, latency, server CPU. */
interface RpcRun {
  kind: ServerKind;
  roundTripsPerSecond: number;
  latency: LatencySummary;
  errors: Record<string, number>;
  serverCpu: number;
  cpuMicrosPerCall: number;
}

/** A provider that accepts every offer and answers with the call's data at once. */
function provide(socket: BenchSocket): void {
  socket.on('rpc:request', (offer: RpcCallOffer, ack: (answer: RpcOfferAnswer) => void) => {
    ack({ accepted: true });
    // Sent without an acknowledgement: a successful answer then costs no reply frame.
    (socket as unknown as { emit(event: string, request: unknown): void }).emit('rpc:respond', { callId: offer.callId, data: offer.data });
  });
}

async function runOne(context: BenchContext, kind: ServerKind): Promise<RpcRun> {
  const { options } = context;
  const server = await ServerProcess.start({ kind, label: 'rpc', ...(context.profileDir === undefined ? {} : { profileDir: context.profileDir }) });
  const sockets: BenchSocket[] = [];
  try {
    if (kind === 'platform') {
      const provider = await openBenchSocket(server.url, await benchToken(server.secret, 'bench-provider', 'service'));
      sockets.push(provider);
      provide(provider);
      unwrap(await provider.timeout(REQUEST_TIMEOUT_MS).emitWithAck('rpc:provide', { name: RPC_NAME }));
    }
    const callers: BenchSocket[] = [];
    for (let i = 0; i < CALLERS; i += 1) callers.push(await openBenchSocket(server.url, await benchToken(server.secret, `bench-caller-${i}`, 'service')));
    sockets.push(...callers);
    await waitForQuietMachine('rpc');
    const before = await server.stats();
    const result: WriteLoadResult = await runWriteLoad({
      concurrency: CALLERS * IN_FLIGHT_PER_CALLER,
      warmupMs: 1000,
      durationMs: options.durationMs,
      write: async (worker) => {
        const socket = callers[worker % callers.length] as BenchSocket;
        const answer: AckResult<{ data: unknown }> = await socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck('rpc:make', { name: RPC_NAME, data: { n: worker } });
        unwrap(answer);
      },
    });
    const after = await server.stats();
    const cpu = cpuBetween(before, after);
    const histogram = new LatencyHistogram();
    histogram.merge(result.histogram);
    // The CPU window includes the warm-up and the drain, so it is divided by every call made.
    const run: RpcRun = {
      kind,
      roundTripsPerSecond: result.ok / (result.elapsedMs / 1000),
      latency: histogram.summary(),
      errors: result.errors,
      serverCpu: cpu.utilisation,
      cpuMicrosPerCall: result.totalOk === 0 ? 0 : cpu.cpuMicros / result.totalOk,
    };
    progress(
      'rpc',
      `${kind}: ${formatNumber(run.roundTripsPerSecond)} round trips/s, p50 ${run.latency.p50Ms} ms, p99 ${run.latency.p99Ms} ms, ` +
        `server CPU ${formatNumber(run.serverCpu * 100)}% (${formatNumber(run.cpuMicrosPerCall, 1)} µs/call)` +
        (Object.keys(run.errors).length > 0 ? `, errors ${JSON.stringify(run.errors)}` : ''),
    );
    return run;
  } finally {
    for (const socket of sockets) socket.close();
    await server.close();
  }
}

/**
 * Case 9 (issue 14): RPC round trips through the platform (caller → server → provider → server →
 * caller, with the permission gate, rate limits, provider lookup and timers) against a bare
 * Socket.IO request answered on its acknowledgement, on the same machine in the same run.
 */
export const rpcCase: BenchCase = {
  id: 'rpc',
  title: 'RPC round trips',
  async run(context) {
    const platform = await runOne(context, 'platform');
    const bare = await runOne(context, 'bare');
    const rows: BenchRow[] = [
      {
        id: 'rpc.throughput',
        label: `RPC round trips/s, ${CALLERS} callers × ${IN_FLIGHT_PER_CALLER} in flight, one provider`,
        unit: 'calls/s',
        better: 'higher',
        value: platform.roundTripsPerSecond,
        baseline: bare.roundTripsPerSecond,
        baselineLabel: 'bare Socket.IO request/ack (no provider hop)',
      },
      {
        id: 'rpc.p99',
        label: 'p99 RPC round trip at that load',
        unit: 'ms',
        better: 'lower',
        value: platform.latency.p99Ms,
        baseline: bare.latency.p99Ms,
        baselineLabel: 'bare Socket.IO request/ack',
      },
    ];
    return {
      rows,
      details: { platform, bare, callers: CALLERS, inFlightPerCaller: IN_FLIGHT_PER_CALLER },
      notes: [
        `Closed loop: ${CALLERS} caller connections (\`service\` tokens) keep ${IN_FLIGHT_PER_CALLER} \`rpc:make\` calls each in flight; one ` +
          `provider connection accepts each offer and answers at once with the call's data. A platform call is two hops (caller to server, ` +
          `server to provider and back, then the answer to the caller); the baseline answers the same request on its acknowledgement, one hop. ` +
          `Calls completed in a ${context.options.durationMs / 1000} s window after 1 s of warm-up are counted; the load clients run in the ` +
          `orchestrator process. Platform: p50 ${platform.latency.p50Ms} ms, ${formatNumber(platform.cpuMicrosPerCall, 1)} µs server CPU per call; ` +
          `bare: p50 ${bare.latency.p50Ms} ms, ${formatNumber(bare.cpuMicrosPerCall, 1)} µs.`,
      ],
    };
  },
};
