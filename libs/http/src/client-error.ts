import type { Socket } from 'node:net';

const STATUS_OF: Readonly<Record<string, [number, string, string]>> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'The request headers are larger than the server accepts.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'The request was not received in time.'],
};

/**
 * Answers errors of Node's HTTP parser (raised before Fastify sees a request) with a Problem
 * Details document instead of a bare status line, then closes the connection.
 */
export const answerClientError = (error: Error & { code?: string }, socket: Socket): void => {
  if (!socket.writable) {
    socket.destroy(error);
    return;
  }
  const [status, type, detail] = STATUS_OF[error.code ?? ''] ?? [400, 'bad-request', 'The request could not be parsed as HTTP.'];
  const body = JSON.stringify({ type, title: type.replace(/-/g, ' '), status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${type}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
};
