#!/usr/bin/env node
// Protocol-level readiness probes used by scripts/servers/*.sh. No dependencies.
//
//   node ping.mjs kafka HOST PORT   Kafka Metadata v1 request; ready when the
//                                   broker lists >= 1 broker and a controller.
//   node ping.mjs mongo HOST PORT   OP_MSG {isMaster: 1} on admin; ready when
//                                   the reply has ok: 1. (isMaster, not hello:
//                                   mongo-java-server 1.47 only implements the
//                                   legacy name, which is also what drivers send
//                                   first.)
//
// Exit 0 = ready (one summary line on stdout), 1 = answered but not ready /
// protocol error, 2 = could not connect or timed out.
import net from 'node:net';

const [kind, host = '127.0.0.1', portArg] = process.argv.slice(2);
const timeoutMs = Number(process.env.PING_TIMEOUT_MS ?? 3000);

function fail(code, msg) {
  process.stderr.write(`${kind} ping ${host}:${portArg}: ${msg}\n`);
  process.exit(code);
}

// Send one request and resolve with the first complete length-prefixed reply.
// kafka: 4-byte big-endian size prefix, excluded from the size.
// mongo: 4-byte little-endian size prefix, included in the size.
function roundTrip(port, request, frameSize) {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port });
    let buf = Buffer.alloc(0);
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no complete reply within ${timeoutMs} ms`), { connected }));
    }, timeoutMs);
    socket.on('connect', () => {
      connected = true;
      socket.write(request);
    });
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      const size = buf.length >= 4 ? frameSize(buf) : -1;
      if (size >= 0 && buf.length >= size) {
        clearTimeout(timer);
        socket.destroy();
        resolve(buf.subarray(0, size));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(Object.assign(err, { connected }));
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(Object.assign(new Error('connection closed before a full reply'), { connected }));
    });
  });
}

// ---------------------------------------------------------------- Kafka ----
function kafkaMetadataRequest() {
  const clientId = Buffer.from('nationpulse-servers-ping');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
  let o = 0;
  o = body.writeInt16BE(3, o); // api_key Metadata
  o = body.writeInt16BE(1, o); // api_version 1 (non-flexible)
  o = body.writeInt32BE(0x4e50, o); // correlation_id
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  body.writeInt32BE(0, o); // topics: empty array = no topic metadata
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  return Buffer.concat([size, body]);
}

function parseKafkaMetadata(frame) {
  let o = 4; // size
  const correlationId = frame.readInt32BE(o); o += 4;
  if (correlationId !== 0x4e50) throw new Error(`unexpected correlation id ${correlationId}`);
  const brokerCount = frame.readInt32BE(o); o += 4;
  const brokers = [];
  for (let i = 0; i < brokerCount; i++) {
    const nodeId = frame.readInt32BE(o); o += 4;
    const hostLen = frame.readInt16BE(o); o += 2;
    const h = frame.toString('utf8', o, o + hostLen); o += hostLen;
    const port = frame.readInt32BE(o); o += 4;
    const rackLen = frame.readInt16BE(o); o += 2;
    if (rackLen > 0) o += rackLen;
    brokers.push(`${nodeId}@${h}:${port}`);
  }
  const controllerId = frame.readInt32BE(o);
  return { brokers, controllerId };
}

// ---------------------------------------------------------------- Mongo ----
function bsonDoc(pairs) {
  // Only what the probe needs: int32 and string values.
  const parts = [];
  for (const [k, v] of pairs) {
    const key = Buffer.concat([Buffer.from(k), Buffer.from([0])]);
    if (typeof v === 'number') {
      const val = Buffer.alloc(4); val.writeInt32LE(v);
      parts.push(Buffer.from([0x10]), key, val);
    } else {
      const s = Buffer.from(String(v));
      const len = Buffer.alloc(4); len.writeInt32LE(s.length + 1);
      parts.push(Buffer.from([0x02]), key, len, s, Buffer.from([0]));
    }
  }
  const content = Buffer.concat(parts);
  const len = Buffer.alloc(4); len.writeInt32LE(4 + content.length + 1);
  return Buffer.concat([len, content, Buffer.from([0])]);
}

function mongoIsMasterRequest() {
  const doc = bsonDoc([['isMaster', 1], ['$db', 'admin']]);
  const header = Buffer.alloc(16 + 4 + 1);
  header.writeInt32LE(header.length + doc.length, 0); // messageLength
  header.writeInt32LE(0x4e50, 4); // requestID
  header.writeInt32LE(0, 8); // responseTo
  header.writeInt32LE(2013, 12); // OP_MSG
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: body
  return Buffer.concat([header, doc]);
}

// Top-level fields of a BSON document (scalars decoded, nested skipped).
function parseBsonTop(buf, start) {
  const end = start + buf.readInt32LE(start);
  const out = {};
  let o = start + 4;
  while (o < end - 1) {
    const type = buf[o++];
    const nameEnd = buf.indexOf(0, o);
    const name = buf.toString('utf8', o, nameEnd);
    o = nameEnd + 1;
    switch (type) {
      case 0x01: out[name] = buf.readDoubleLE(o); o += 8; break;
      case 0x02: { const l = buf.readInt32LE(o); out[name] = buf.toString('utf8', o + 4, o + 4 + l - 1); o += 4 + l; break; }
      case 0x03: case 0x04: o += buf.readInt32LE(o); break;
      case 0x05: o += 4 + 1 + buf.readInt32LE(o); break;
      case 0x07: o += 12; break;
      case 0x08: out[name] = buf[o] === 1; o += 1; break;
      case 0x09: case 0x11: o += 8; break;
      case 0x0a: out[name] = null; break;
      case 0x10: out[name] = buf.readInt32LE(o); o += 4; break;
      case 0x12: out[name] = Number(buf.readBigInt64LE(o)); o += 8; break;
      case 0x13: o += 16; break;
      default: throw new Error(`unsupported BSON type 0x${type.toString(16)} for field ${name}`);
    }
  }
  return out;
}

function parseMongoReply(frame) {
  const opCode = frame.readInt32LE(12);
  if (opCode !== 2013) throw new Error(`unexpected opCode ${opCode}`);
  if (frame[20] !== 0) throw new Error(`unexpected section kind ${frame[20]}`);
  return parseBsonTop(frame, 21);
}

// ----------------------------------------------------------------- main ----
const port = Number(portArg);
if (!['kafka', 'mongo'].includes(kind) || !Number.isInteger(port)) {
  process.stderr.write('usage: node ping.mjs kafka|mongo HOST PORT\n');
  process.exit(64);
}

try {
  if (kind === 'kafka') {
    const frame = await roundTrip(port, kafkaMetadataRequest(), (b) => b.readInt32BE(0) + 4);
    const { brokers, controllerId } = parseKafkaMetadata(frame);
    if (brokers.length === 0 || controllerId < 0) {
      fail(1, `answered but not ready (brokers=${brokers.length}, controller=${controllerId})`);
    }
    process.stdout.write(`kafka ok: brokers=${brokers.join(',')} controller=${controllerId}\n`);
  } else {
    const frame = await roundTrip(port, mongoIsMasterRequest(), (b) => b.readInt32LE(0));
    const reply = parseMongoReply(frame);
    if (reply.ok !== 1) fail(1, `isMaster not ok: ${JSON.stringify(reply)}`);
    process.stdout.write(`mongo ok: isMaster ok, wire versions ${reply.minWireVersion}..${reply.maxWireVersion}\n`);
  }
  process.exit(0);
} catch (err) {
  fail(err.connected ? 1 : 2, err.message);
}
