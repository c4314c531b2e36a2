/**
 * A minimal RTSP server for pull tests: serves one H.264 clip to each client that plays it,
 * over RTP interleaved in the RTSP connection (RFC 2326 §10.12, "rtsp_transport tcp"), with
 * RFC 6184 packetization (single NAL units, FU-A fragments) and the parameter sets in the
 * SDP (sprop-parameter-sets), as IP cameras do. Frames go out as fast as the socket takes
 * them (`realtime: false`) or paced by their timestamps.
 */
import '../../src/util/polyfill.js';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Demuxer } from 'node-av/api';
import { AV_NOPTS_VALUE } from 'node-av/constants';

const RTP_CLOCK = 90_000;
const PAYLOAD_TYPE = 96;
const MAX_RTP_PAYLOAD = 1400;
const FU_A = 28;

interface Frame {
  /** RTP timestamp (90 kHz). */
  ts: number;
  nals: Buffer[];
}

export interface RtspServer {
  port: number;
  url(path?: string): string;
  /** PLAY requests served. */
  plays: number;
  close(): Promise<void>;
}

/** Reads an FLV/MP4 H.264 clip into frames of NAL units plus its SPS and PPS. */
async function loadClip(clip: string): Promise<{ frames: Frame[]; sps: Buffer; pps: Buffer }> {
  await using input = await Demuxer.open(clip);
  const stream = input.video()!;
  const record = stream.codecpar.extradata!;
  const spsLen = record.readUInt16BE(6);
  const sps = Buffer.from(record.subarray(8, 8 + spsLen));
  const ppsAt = 8 + spsLen + 1;
  const pps = Buffer.from(record.subarray(ppsAt + 2, ppsAt + 2 + record.readUInt16BE(ppsAt)));
  const tb = stream.timeBase;
  const frames: Frame[] = [];
  for await (const packet of input.packets(stream.index)) {
    if (!packet) break;
    const pts = packet.pts === AV_NOPTS_VALUE ? packet.dts : packet.pts;
    const data = packet.data!;
    const nals: Buffer[] = [];
    for (let pos = 0; pos + 4 <= data.length;) {
      const len = data.readUInt32BE(pos);
      nals.push(Buffer.from(data.subarray(pos + 4, pos + 4 + len)));
      pos += 4 + len;
    }
    frames.push({ ts: Math.round((Number(pts) * RTP_CLOCK * tb.num) / tb.den), nals });
    packet.free();
  }
  return { frames, sps, pps };
}

function rtpPackets(frame: Frame, seq: { n: number }): Buffer[] {
  const payloads: Buffer[] = [];
  for (const nal of frame.nals) {
    if (nal.length <= MAX_RTP_PAYLOAD) {
      payloads.push(nal);
      continue;
    }
    const indicator = (nal[0]! & 0xe0) | FU_A;
    const type = nal[0]! & 0x1f;
    for (let pos = 1; pos < nal.length; pos += MAX_RTP_PAYLOAD) {
      const start = pos === 1 ? 0x80 : 0;
      const end = pos + MAX_RTP_PAYLOAD >= nal.length ? 0x40 : 0;
      const chunk = nal.subarray(pos, pos + MAX_RTP_PAYLOAD);
      payloads.push(Buffer.concat([Buffer.from([indicator, start | end | type]), chunk]));
    }
  }
  return payloads.map((payload, i) => {
    const header = Buffer.alloc(12);
    header[0] = 0x80; // version 2
    header[1] = (i === payloads.length - 1 ? 0x80 : 0) | PAYLOAD_TYPE; // marker: last of the AU
    header.writeUInt16BE(seq.n++ & 0xffff, 2);
    header.writeUInt32BE(frame.ts >>> 0, 4);
    header.writeUInt32BE(0x1234abcd, 8); // SSRC
    const rtp = Buffer.concat([header, payload]);
    const interleaved = Buffer.alloc(4);
    interleaved[0] = 0x24; // '$'
    interleaved[1] = 0; // channel 0: RTP
    interleaved.writeUInt16BE(rtp.length, 2);
    return Buffer.concat([interleaved, rtp]);
  });
}

export async function startRtspServer(
  clip: string,
  options: { realtime?: boolean } = {},
): Promise<RtspServer> {
  const { frames, sps, pps } = await loadClip(clip);
  const sockets = new Set<Socket>();
  const state: RtspServer = {
    port: 0,
    url: (path = 'live/cam') => `rtsp://127.0.0.1:${state.port}/${path}`,
    plays: 0,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  const sdp = (url: string) =>
    [
      'v=0',
      'o=- 0 0 IN IP4 127.0.0.1',
      's=livesnap test',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      `m=video 0 RTP/AVP ${PAYLOAD_TYPE}`,
      `a=rtpmap:${PAYLOAD_TYPE} H264/${RTP_CLOCK}`,
      `a=fmtp:${PAYLOAD_TYPE} packetization-mode=1;profile-level-id=${sps.subarray(1, 4).toString('hex')};sprop-parameter-sets=${sps.toString('base64')},${pps.toString('base64')}`,
      `a=control:${url}/trackID=0`,
      '',
    ].join('\r\n');

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let buffered = '';
    let playing = false;
    const reply = (cseq: string, headers: string[] = [], body = '') => {
      const lines = ['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...headers];
      if (body)
        lines.push('Content-Type: application/sdp', `Content-Length: ${Buffer.byteLength(body)}`);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    };
    const play = async () => {
      const seq = { n: 1 };
      const start = performance.now();
      const first = frames[0]?.ts ?? 0;
      for (const frame of frames) {
        if (socket.destroyed) return;
        if (options.realtime) {
          const due = start + ((frame.ts - first) * 1000) / RTP_CLOCK - performance.now();
          if (due > 0) await sleep(due);
        }
        for (const packet of rtpPackets(frame, seq)) {
          if (!socket.write(packet)) await new Promise((r) => socket.once('drain', r));
        }
      }
      socket.end(); // the stream is over
    };
    socket.on('data', (chunk: Buffer) => {
      if (playing) return; // keep-alives and RTCP from the client are ignored
      buffered += chunk.toString('latin1');
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        const request = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        const [line, ...headerLines] = request.split('\r\n');
        const [method, url] = (line ?? '').split(' ');
        const header = (name: string) =>
          headerLines
            .find((h) => h.toLowerCase().startsWith(`${name.toLowerCase()}:`))
            ?.slice(name.length + 1)
            .trim() ?? '';
        const cseq = header('CSeq');
        switch (method) {
          case 'OPTIONS':
            reply(cseq, ['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN']);
            break;
          case 'DESCRIBE':
            reply(cseq, [`Content-Base: ${url}/`], sdp(url ?? ''));
            break;
          case 'SETUP':
            reply(cseq, ['Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'Session: 12345678']);
            break;
          case 'PLAY':
            reply(cseq, ['Session: 12345678', 'Range: npt=0.000-']);
            state.plays++;
            playing = true;
            void play();
            break;
          default:
            reply(cseq, ['Session: 12345678']);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  return state;
}
