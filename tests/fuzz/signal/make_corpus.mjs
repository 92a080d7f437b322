// Writes the seed corpora from real @livekit/protocol encodings. Run by hand from the repository
// root when the seeds should change:  node tests/fuzz/signal/make_corpus.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import {
  AddTrackRequest, SessionDescription, SignalRequest, SignalTarget, SimulcastCodec, TrackSource,
  TrackType, TrickleRequest, VideoLayer, VideoQuality, Ping, LeaveRequest, DisconnectReason,
  LeaveRequest_Action, UpdateSubscription, ParticipantTracks, protoInt64,
} from '@livekit/protocol';

const dir = (name) => new URL(`./corpus/${name}/`, import.meta.url);
const put = (name, file, bytes) => writeFileSync(new URL(file, dir(name)), bytes);

const sdp = [
  'v=0', 'o=- 8362 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:u1Zx',
  'a=ice-pwd:p4ssw0rdp4ssw0rdp4ssw0rd', 'a=fingerprint:sha-256 AB:CD:EF:01', 'a=setup:actpass',
  'a=mid:0', 'a=sendonly', 'a=msid:stream mic-1', 'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96', 'c=IN IP4 0.0.0.0', 'a=mid:1', 'a=sendonly',
  'a=rtpmap:96 VP8/90000', 'a=rid:q send', 'a=rid:h send', 'a=simulcast:send q;h', '',
].join('\r\n');

const requests = {
  offer: new SignalRequest({ message: { case: 'offer', value: new SessionDescription({
    type: 'offer', sdp, id: 1, midToTrackId: { 0: 'TR_AMabc', 1: 'TR_VCdef' } }) } }),
  trickle: new SignalRequest({ message: { case: 'trickle', value: new TrickleRequest({
    candidateInit: JSON.stringify({
      candidate: 'candidate:1 1 udp 2122260223 192.168.1.5 54321 typ host generation 0',
      sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u1Zx' }),
    target: SignalTarget.PUBLISHER, final: false }) } }),
  ping: new SignalRequest({ message: { case: 'ping', value: protoInt64.parse('1732540000123') } }),
  ping_req: new SignalRequest({ message: { case: 'pingReq', value: new Ping({
    timestamp: protoInt64.parse('1732540000123'), rtt: protoInt64.parse('42') }) } }),
  add_track: new SignalRequest({ message: { case: 'addTrack', value: new AddTrackRequest({
    cid: 'cam-1', name: 'camera', type: TrackType.VIDEO, width: 1280, height: 720,
    source: TrackSource.CAMERA,
    layers: [
      new VideoLayer({ quality: VideoQuality.LOW, width: 320, height: 180, bitrate: 150000 }),
      new VideoLayer({ quality: VideoQuality.HIGH, width: 1280, height: 720, bitrate: 1700000 }),
    ],
    simulcastCodecs: [new SimulcastCodec({ codec: 'vp8', cid: 'cam-1' })] }) } }),
  leave: new SignalRequest({ message: { case: 'leave', value: new LeaveRequest({
    reason: DisconnectReason.CLIENT_INITIATED, action: LeaveRequest_Action.DISCONNECT }) } }),
  subscription: new SignalRequest({ message: { case: 'subscription', value:
    new UpdateSubscription({ trackSids: ['TR_VCdef'], subscribe: true,
      participantTracks: [new ParticipantTracks({ participantSid: '', trackSids: ['TR_VCdef'] })] }) } }),
};

for (const [name, request] of Object.entries(requests)) {
  put('signal_request', `${name}.bin`, request.toBinary());
  put('signal_request', `${name}.json`, request.toJsonString());
}

// Join requests: the v1 queries from the unit-test vectors, their raw WrappedJoinRequest bytes,
// and a v0 query as livekit-client writes it.
const vectors = new URL('../../unit/signal/data/', import.meta.url);
for (const file of ['js_join_v1_gzip.query', 'node_resume_v1_plain.query']) {
  const query = readFileSync(new URL(file, vectors), 'utf8').trim();
  put('join_request', file, query);
  const b64 = decodeURIComponent(new URLSearchParams(query).get('join_request'));
  put('join_request', file.replace('.query', '.wrapped.bin'), Buffer.from(b64, 'base64url'));
}
put('join_request', 'js_v0.query',
  'access_token=a.b.c&auto_subscribe=1&sdk=js&version=2.23.0&protocol=17&client_protocol=2' +
  '&os=Linux&browser=Chrome&browser_version=131.0.0.0&adaptive_stream=1' +
  '&subscriber_allow_pause=0&reconnect=1&sid=PA_x&reconnect_reason=1' +
  '&attributes=eyJ0ZWFtIjoiYmx1ZSJ9&capabilities=CAP_PACKET_TRAILER');
