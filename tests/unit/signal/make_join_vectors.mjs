// Produces the /rtc/v1 query strings in data/ the way livekit-client 2.23 builds them
// (URLSearchParams, base64 with '+' '/' swapped for '-' '_' and '=' padding kept), from the
// messages of @livekit/protocol. Run by hand from the repository root when the vectors change:
//   node tests/unit/signal/make_join_vectors.mjs
// The unit tests read the committed output; they never run node.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  ClientInfo, ClientInfo_SDK, ConnectionSettings, JoinRequest, ReconnectReason,
  SessionDescription, WrappedJoinRequest, WrappedJoinRequest_Compression,
} from '@livekit/protocol';

const out = new URL('./data/', import.meta.url);

function query(token, joinRequest, gzip) {
  const bytes = joinRequest.toBinary();
  const wrapped = new WrappedJoinRequest({
    compression: gzip ? WrappedJoinRequest_Compression.GZIP : WrappedJoinRequest_Compression.NONE,
    joinRequest: gzip ? new Uint8Array(gzipSync(bytes)) : bytes,
  });
  const b64 = Buffer.from(wrapped.toBinary()).toString('base64')
    .replace(/\+/g, '-').replace(/\//g, '_');
  const params = new URLSearchParams();
  params.set('access_token', token);
  params.set('join_request', b64);
  return params.toString();
}

const offerSdp = [
  'v=0', 'o=- 4215 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel', 'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd', 'a=ice-pwd:0123456789abcdefghijklmn', 'a=mid:0', 'a=sctp-port:5000', '',
].join('\r\n');

// A first join from a browser: gzip, publisher offer, no resume fields.
const join = new JoinRequest({
  clientInfo: new ClientInfo({
    sdk: ClientInfo_SDK.JS, version: '2.23.0', protocol: 17, clientProtocol: 2,
    os: 'Linux', browser: 'Chrome', browserVersion: '131.0.0.0',
  }),
  connectionSettings: new ConnectionSettings({
    autoSubscribe: true, adaptiveStream: true, disableIceLite: false, subscriberAllowPause: true,
  }),
  reconnect: false,
  publisherOffer: new SessionDescription({ type: 'offer', sdp: offerSdp, id: 1 }),
});
writeFileSync(new URL('js_join_v1_gzip.query', out), query('tok.en.sig', join, true) + '\n');

// A resume from a Node client without compression, with metadata and attributes.
const resume = new JoinRequest({
  clientInfo: new ClientInfo({ sdk: ClientInfo_SDK.NODE, version: '1.1.0', protocol: 17 }),
  connectionSettings: new ConnectionSettings({ autoSubscribe: false, adaptiveStream: false }),
  metadata: '{"role":"bots"}',
  participantAttributes: { team: 'blue', 'naïve key': 'ü+/=&' },
  reconnect: true,
  reconnectReason: ReconnectReason.RR_SIGNAL_DISCONNECTED,
  participantSid: 'PA_resume123',
});
writeFileSync(new URL('node_resume_v1_plain.query', out), query('tok.en.sig', resume, false) + '\n');
