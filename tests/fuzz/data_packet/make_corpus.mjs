// Writes the seed corpus from real @livekit/protocol encodings of DataPacket, the way
// livekit-client builds them. Run by hand from the repository root when the seeds should change:
//   node tests/fuzz/data_packet/make_corpus.mjs
import { writeFileSync } from 'node:fs';
import {
  ChatMessage, DataPacket, DataPacket_Kind, DataStream_Chunk, DataStream_Header,
  DataStream_TextHeader, DataStream_Trailer, EncryptedPacket, ActiveSpeakerUpdate, SpeakerInfo,
  RpcAck, RpcRequest, RpcResponse, SipDTMF, Transcription, TranscriptionSegment, UserPacket,
  protoInt64,
} from '@livekit/protocol';

const put = (file, packet) =>
  writeFileSync(new URL(`./corpus/${file}`, import.meta.url), packet.toBinary());
const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

put('user_topic', new DataPacket({
  kind: DataPacket_Kind.RELIABLE, participantIdentity: 'mallory', sequence: 1,
  destinationIdentities: ['bob'],
  value: { case: 'user', value: new UserPacket({
    payload: bytes(40, 1), topic: 'chat', participantIdentity: 'mallory',
    destinationIdentities: ['bob', 'carol'], destinationSids: ['PA_old'], id: 'u-1',
    nonce: bytes(16, 2) }) },
}));
put('user_lossy_empty', new DataPacket({
  kind: DataPacket_Kind.LOSSY, value: { case: 'user', value: new UserPacket({}) } }));
put('chat', new DataPacket({ sequence: 2, value: { case: 'chatMessage', value: new ChatMessage({
  id: 'c-1', timestamp: protoInt64.parse('1732540000123'), message: 'hello everyone' }) } }));
put('rpc_request', new DataPacket({ destinationIdentities: ['bob'], sequence: 3,
  value: { case: 'rpcRequest', value: new RpcRequest({
    id: 'r-1', method: 'greet', payload: '{"a":1}', responseTimeoutMs: 10000, version: 1 }) } }));
put('rpc_ack', new DataPacket({ value: { case: 'rpcAck', value: new RpcAck({ requestId: 'r-1' }) } }));
put('rpc_response', new DataPacket({ value: { case: 'rpcResponse', value: new RpcResponse({
  requestId: 'r-1', value: { case: 'payload', value: 'ok' } }) } }));
put('stream_header', new DataPacket({ value: { case: 'streamHeader', value: new DataStream_Header({
  streamId: 's-1', topic: 'lk.chat', mimeType: 'text/plain', totalLength: protoInt64.parse('5'),
  timestamp: protoInt64.parse('1732540000123'),
  contentHeader: { case: 'textHeader', value: new DataStream_TextHeader({}) } }) } }));
put('stream_chunk', new DataPacket({ value: { case: 'streamChunk', value: new DataStream_Chunk({
  streamId: 's-1', chunkIndex: protoInt64.parse('0'), content: bytes(300, 3) }) } }));
put('stream_trailer', new DataPacket({ value: { case: 'streamTrailer',
  value: new DataStream_Trailer({ streamId: 's-1', reason: '' }) } }));
put('encrypted', new DataPacket({ value: { case: 'encryptedPacket', value: new EncryptedPacket({
  iv: bytes(12, 4), keyIndex: 1, encryptedValue: bytes(64, 5) }) } }));
put('sip_dtmf', new DataPacket({ value: { case: 'sipDtmf', value: new SipDTMF({ code: 5, digit: '5' }) } }));
put('transcription', new DataPacket({ value: { case: 'transcription', value: new Transcription({
  transcribedParticipantIdentity: 'alice', trackId: 'TR_1',
  segments: [new TranscriptionSegment({ id: 'seg', text: 'hi', final: true, language: 'en' })] }) } }));
put('speaker', new DataPacket({ value: { case: 'speaker', value: new ActiveSpeakerUpdate({
  speakers: [new SpeakerInfo({ sid: 'PA_x', level: 0.5, active: true })] }) } }));
