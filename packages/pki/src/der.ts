// The handful of DER encoders needed to write a PKCS#8 EncryptedPrivateKeyInfo by hand
// (Node can decrypt any PBES2 key, but cannot choose SwarmKit's PBKDF2 parameters when encrypting)
// and a node's certificate request (without loading an X.509 library).

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

export function derSequence(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

export function derOctetString(bytes: Uint8Array): Buffer {
  return tlv(0x04, Buffer.from(bytes));
}

/** A non-negative integer small enough for a JS number (iteration counts). */
export function derInteger(value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || bytes[0] & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/** An OBJECT IDENTIFIER from dotted text. */
export function derOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0] * 40 + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING of whole bytes (no unused bits), as signatures and public keys are. */
export function derBitString(bytes: Uint8Array): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), Buffer.from(bytes)]));
}

/** A constructed context-specific tag [n] around `content` (IMPLICIT, as PKCS#10 attributes are). */
export function derContext(n: number, content: Buffer): Buffer {
  return tlv(0xa0 | n, content);
}
