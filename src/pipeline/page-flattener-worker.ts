/** The worker thread of page-flattener.ts: checks and flattens the pages it is sent. */
import { parentPort } from 'node:worker_threads';
import { recycleFlatOutput, type FlatShape } from '../normalize/json-flatten.ts';
import type { JsonShape } from '../normalize/json-shape.ts';
import { flattenRaw, type FromWorker, type ToWorker } from './page-flatten.ts';

const shapes = new Map<number, { json: JsonShape; flat: FlatShape }>();

parentPort!.on('message', (m: ToWorker) => {
  if (m.recycle) {
    recycleFlatOutput(m.recycle);
    return;
  }
  let reply: FromWorker;
  let transfer: ArrayBuffer[] = [];
  try {
    if (m.shape) shapes.set(m.shapeId, m.shape);
    const shape = shapes.get(m.shapeId)!;
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    const result = flattenRaw(body, shape.json, shape.flat);
    reply = { id: m.id, result };
    if (result.kind === 'flat') transfer = result.tables.map((t) => t.buffer as ArrayBuffer);
    else if (result.kind === 'parse') transfer = [body.buffer as ArrayBuffer];
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply, transfer);
});
