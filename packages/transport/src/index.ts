// Frames
export {
  FrameBatch,
  FrameDecoder,
  FrameError,
  encodeFrame,
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  type FrameErrorCode,
  type FrameDecoderOptions,
} from './frames.js';

// Errors and logging
export { TransportError, isRpcCode, toWireError, type RpcCode } from './errors.js';
export { silentLogger, type Logger } from './logger.js';

// The emulated NIC
export { Nic, type NicOptions, type NicConnectOptions, type NicServer } from './nic.js';
export { NicSocket } from './nic/nic-socket.js';
export { NicUdpSocket, type DatagramSource } from './nic/udp-socket.js';
export {
  parseNicRules,
  resolveFlowPolicy,
  NicRuleError,
  DEFAULT_RETRANSMIT_MS,
  type NicRules,
  type PeerRule,
  type Direction,
  type Flow,
  type FlowPolicy,
} from './nic/rules.js';
export type { NicStats, PeerStats } from './nic/stats.js';

// mTLS links
export { SecurityConfig, type SecurityConfigOptions, type PeerCheck, type RefusalKind } from './tls/security-config.js';
export { identityFromCertificate, MANAGER_OU, WORKER_OU, MANAGER_SERVER_NAME, type PeerIdentity, type NodeRole } from './tls/identity.js';
export { verifyChain, parseCertificateBundle } from './tls/chain.js';
export { Link, type LinkOptions, type LinkInit, type LinkStats, type RequestOptions, type FrameCounter } from './link.js';
export {
  authorize,
  type ServiceAccess,
  type ServiceDefinition,
  type ServiceTable,
  type RequestHandler,
  type MessageHandler,
  type CallContext,
} from './services.js';
export { TransportServer, type TransportServerOptions, type TransportServerStats, type RefusedConnection } from './server.js';
export { dial, type DialOptions } from './dialer.js';
export { TunnelServer, TunnelClient, MAX_TUNNEL_HEADER_BYTES, type TunnelServerOptions, type TunnelRefusal, type TunnelClientOptions } from './tunnel.js';
export { PeerLink, backoffDelay, type PeerLinkOptions, type PeerRequestOptions, type BackoffOptions } from './peer-link.js';

// Gossip
export { Gossip, GossipError, type GossipOptions, type GossipSeed, type GossipUserEvent, type GossipStats } from './gossip/gossip.js';
export { GossipKeyring, GossipKeyError, GOSSIP_KEY_BYTES, type GossipKey } from './gossip/keyring.js';
export { LAN_TIMING, suspicionTimeoutMs, type GossipTiming } from './gossip/timing.js';
export { Membership, type Member, type MemberEvent, type MembershipEffect } from './gossip/membership.js';
export type { MemberState, GossipMessage } from './gossip/messages.js';
export { arrayHeader, arrayElements, binHeader, mapHeader } from './msgpack-parts.js';
export { openPacket, sealPacket, encodeMessage, MAX_PACKET_BYTES, MAX_PLAINTEXT_BYTES, type PacketDropReason } from './gossip/packet.js';
export { encryptPacket, decryptPacket, ENCRYPTION_OVERHEAD } from './gossip/crypto.js';
