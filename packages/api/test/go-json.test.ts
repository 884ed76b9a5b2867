// Go's encoding/json as a daemon applies it to request bodies: the scanner's syntax errors, the
// decoder's type errors (first in document order, innermost struct, full field path), base64
// for []byte, case-insensitive field names, and moby's ReadJSON around them.

import { describe, expect, it } from 'vitest';
import {
  decodeGoBase64,
  GO_NETWORK_CREATE_REQUEST,
  GO_SECRET_SPEC,
  GO_SERVICE_SPEC,
  goQuote,
  parseGoBool,
  parseGoUint,
  readJsonBody,
  type GoType,
} from '../src/index.js';

function read(text: string | Buffer, type: GoType = GO_SERVICE_SPEC, contentType = 'application/json'): unknown {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  return readJsonBody({ contentType, contentLength: body.length, body }, type);
}

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe("Go's scanner", () => {
  it.each([
    ['{"a":1', 'unexpected EOF'],
    ['-', 'unexpected EOF'],
    ['{x', "invalid character 'x' looking for beginning of object key string"],
    ['{"a" 1}', "invalid character '1' after object key"],
    ['{"a":1 2}', "invalid character '2' after object key:value pair"],
    ['[1 2]', "invalid character '2' after array element"],
    ['"a\u0001"', "invalid character '\\x01' in string literal"],
    ['"\\q"', "invalid character 'q' in string escape code"],
    ['"\\u12g4"', "invalid character 'g' in \\u hexadecimal character escape"],
    ['-x', "invalid character 'x' in numeric literal"],
    ['1.x', "invalid character 'x' after decimal point in numeric literal"],
    ['1ex', "invalid character 'x' in exponent of numeric literal"],
    ['trux', "invalid character 'x' in literal true (expecting 'e')"],
    ['nul', 'unexpected EOF'],
    ["'a'", "invalid character '\\'' looking for beginning of value"],
    ['\ufeff{}', "invalid character 'ï' looking for beginning of value"],
    ['['.repeat(10001), "invalid character '[' exceeded max depth"],
  ])('%j → %s', (text, expected) => {
    expect(message(() => read(text))).toBe(`invalid JSON: ${expected}`);
  });

  it('reads the first value only: what follows is "unexpected content", a closing bracket is not', () => {
    expect(message(() => read('{}x'))).toBe('unexpected content after JSON');
    expect(read('{} }')).toEqual({});
    // A type error in the first value wins over what follows it.
    expect(message(() => read('3x'))).toBe('invalid JSON: json: cannot unmarshal number into Go value of type swarm.ServiceSpec');
  });
});

describe("Go's decoder", () => {
  it('names the innermost struct and the whole field path', () => {
    expect(message(() => read('{"Mode":{"Replicated":{"Replicas":"3"}}}'))).toBe(
      'invalid JSON: json: cannot unmarshal string into Go struct field ReplicatedService.Mode.Replicated.Replicas of type uint64',
    );
    expect(message(() => read('{"EndpointSpec":{"Ports":[{"TargetPort":80},{"TargetPort":-1}]}}'))).toBe(
      'invalid JSON: json: cannot unmarshal number -1 into Go struct field PortConfig.EndpointSpec.Ports.TargetPort of type uint32',
    );
    expect(message(() => read('{"Labels":{"a":"b","c":{}}}'))).toBe('invalid JSON: json: cannot unmarshal object into Go struct field ServiceSpec.Labels of type string');
  });

  it('reports the first error in document order', () => {
    expect(message(() => read('{"Name":1,"Labels":[]}'))).toBe('invalid JSON: json: cannot unmarshal number into Go struct field ServiceSpec.Name of type string');
  });

  it('checks number literals against the Go type, not their JS value', () => {
    expect(message(() => read('{"TaskTemplate":{"ForceUpdate":1.0}}'))).toBe(
      'invalid JSON: json: cannot unmarshal number 1.0 into Go struct field TaskSpec.TaskTemplate.ForceUpdate of type uint64',
    );
    expect(message(() => read('{"UpdateConfig":{"MaxFailureRatio":1e39}}'))).toBe(
      'invalid JSON: json: cannot unmarshal number 1e39 into Go struct field UpdateConfig.UpdateConfig.MaxFailureRatio of type float32',
    );
    expect(read('{"TaskTemplate":{"ForceUpdate":18446744073709551615}}')).toMatchObject({ TaskTemplate: { ForceUpdate: 18446744073709551615 } });
  });

  it('matches field names case-insensitively, drops unknown fields and nulls, keeps map keys as sent', () => {
    expect(read('{"name":"web","BOGUS":1,"labels":{"__proto__":"x","A":"b"},"Mode":null,"taskTemplate":{"containerSpec":{"image":"nginx"}}}')).toEqual({
      Name: 'web',
      Labels: JSON.parse('{"__proto__":"x","A":"b"}'),
      TaskTemplate: { ContainerSpec: { Image: 'nginx' } },
    });
  });

  it('takes []byte as base64, or as an array of bytes', () => {
    expect(read('{"Name":"s","Data":"YQ=="}', GO_SECRET_SPEC)).toEqual({ Name: 's', Data: 'YQ==' });
    expect(read('{"Name":"s","Data":[97,98]}', GO_SECRET_SPEC)).toEqual({ Name: 's', Data: 'YWI=' });
    expect(message(() => read('{"Data":[256]}', GO_SECRET_SPEC))).toBe('invalid JSON: json: cannot unmarshal number 256 into Go struct field SecretSpec.Data of type uint8');
  });

  it('flattens embedded structs into their parent, as Go promotes their fields', () => {
    expect(message(() => read('{"Driver":5}', GO_NETWORK_CREATE_REQUEST))).toBe(
      'invalid JSON: json: cannot unmarshal number into Go struct field CreateRequest.Driver of type string',
    );
  });
});

describe("moby's ReadJSON around it", () => {
  it('needs application/json when there is a body, and reads no body as the zero value', () => {
    expect(read('{}', GO_SERVICE_SPEC, 'application/json; charset=utf-8')).toEqual({});
    expect(message(() => read('{}', GO_SERVICE_SPEC, 'text/plain'))).toBe("unsupported Content-Type header (text/plain): must be 'application/json'");
    const untyped = Buffer.from('{}');
    expect(message(() => readJsonBody({ contentType: undefined, contentLength: untyped.length, body: untyped }, GO_SERVICE_SPEC))).toBe(
      'malformed Content-Type header (): mime: no media type',
    );
    expect(message(() => read('{}', GO_SERVICE_SPEC, 'application/json; charset'))).toBe('malformed Content-Type header (application/json; charset): mime: invalid media parameter');
    expect(message(() => read('{}', GO_SERVICE_SPEC, 'application/json x'))).toBe('malformed Content-Type header (application/json x): mime: unexpected content after media subtype');
    expect(readJsonBody({ contentType: undefined, contentLength: 0, body: Buffer.alloc(0) }, GO_SERVICE_SPEC)).toBeUndefined();
    expect(message(() => readJsonBody({ contentType: 'application/json', contentLength: -1, body: Buffer.alloc(0) }, GO_SERVICE_SPEC))).toBe(
      'invalid JSON: got EOF while reading request body',
    );
  });
});

describe('encoding/base64 StdEncoding', () => {
  it.each([
    ['YQ==', 'a'],
    ['YWI=', 'ab'],
    ['YW\nI=', 'ab'],
    ['', ''],
  ])('decodes %j', (text, expected) => {
    expect(decodeGoBase64(text).toString()).toBe(expected);
  });

  it.each([
    ['!!!!', 0],
    ['Y', 0],
    ['YQ=', 3],
    ['YQ', 0],
    ['YQ==YQ==', 4],
    ['Y===', 1],
    ['YQ=x', 2],
  ])('refuses %j at byte %d, as Go reports it', (text, at) => {
    expect(message(() => decodeGoBase64(text))).toBe(`illegal base64 data at input byte ${at}`);
  });
});

describe('strconv', () => {
  it('parses and quotes as Go does', () => {
    expect(parseGoUint('42')).toEqual({ ok: true, value: 42n });
    expect(parseGoUint('+1')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "+1": invalid syntax' });
    expect(parseGoUint('18446744073709551616')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "18446744073709551616": value out of range' });
    expect(parseGoBool('True')).toEqual({ ok: true, value: true });
    expect(parseGoBool('yes')).toEqual({ ok: false, error: 'strconv.ParseBool: parsing "yes": invalid syntax' });
    expect(goQuote('a"b\n\x00é')).toBe('"a\\"b\\n\\x00é"');
  });
});
