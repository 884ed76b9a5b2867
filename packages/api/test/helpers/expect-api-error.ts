import { expect } from 'vitest';
import { DockerApiError } from '../../src/index.js';

/** Asserts that `call` throws a DockerApiError with this status and exact message. */
export function expectApiError(call: () => unknown, statusCode: number, message: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DockerApiError);
  expect({ statusCode: (thrown as DockerApiError).statusCode, message: (thrown as DockerApiError).message }).toEqual({
    statusCode,
    message,
  });
}
