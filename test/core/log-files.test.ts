// Log files IT can collect: JSON lines in a folder, rotated by size, scrubbed of secrets.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, flushLogs, LOG_BATCH_BYTES, LOG_FILE_NAME, logToFiles } from '../../core/logger.ts';
import { Secrets } from '../../core/secret-forms.ts';
import { LogCapture } from '../support/kiosk.ts';
import { echoesOf, recoverable } from '../support/secret-echoes.ts';
import { waitFor } from '../support/wait.ts';

describe('log files', () => {
  it('get every line as JSON, with its bindings and without secrets', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-logs-'));
    const secret = `Token ${'s3cr3t'.repeat(6)}`;
    const logger = createLogger({ stderr: false, secrets: new Secrets([secret]) });
    expect(logToFiles(logger, { dir, maxFileMB: 1, keepFiles: 2 })).toBe(path.join(dir, LOG_FILE_NAME));
    logger.setBindings({ kiosk: 'lobby-1' });
    logger.info({ header: secret }, 'first');
    logger.warn('second');
    const file = path.join(dir, LOG_FILE_NAME);
    // The file is opened asynchronously.
    await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').split('\n').length >= 3, { what: 'two lines in the file' });
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.msg, l.kiosk, l.level])).toEqual([
      ['first', 'lobby-1', 'info'],
      ['second', 'lobby-1', 'warn'],
    ]);
    expect(readFileSync(file, 'utf8')).not.toContain('s3cr3t');
  });

  it('are rotated by size and only keepFiles old ones are kept', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-logs-'));
    const logger = createLogger({ stderr: false });
    logToFiles(logger, { dir, maxFileMB: 1, keepFiles: 2 });
    const filler = 'x'.repeat(1000);
    for (let i = 0; i < 4500; i++) logger.info({ i, filler }, 'filler');
    // The rotator also keeps a small history file (kiosk-shell.log.txt) of its own.
    const logFiles = () => readdirSync(dir).filter((name) => name.endsWith('.log'));
    await waitFor(() => logFiles().length === 3, { timeoutMs: 15_000, what: 'two rotated files and the current one' });
    // Rotation keeps going without piling up files.
    for (let i = 0; i < 2500; i++) logger.info({ i, filler }, 'more');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const files = logFiles();
    expect(files).toContain(LOG_FILE_NAME);
    expect(files.length).toBeLessThanOrEqual(3);
    // A file rotates after the write that takes it past its size: by at most one batch of lines.
    for (const name of files) expect(readFileSync(path.join(dir, name)).length).toBeLessThanOrEqual(1024 * 1024 + LOG_BATCH_BYTES + 2048);
  });

  it('hold every line once flushLogs resolves: 16,000 lines written in one go, none lost, in order', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-logs-'));
    const logger = createLogger({ stderr: false });
    logToFiles(logger, { dir, maxFileMB: 100, keepFiles: 2 });
    for (let i = 0; i < 16_000; i++) logger.info({ i, resetId: `r-${i}`, why: 'not-targeted' }, 'reset ignored');
    // No waiting for the stream: what the process does right before it exits.
    await flushLogs(logger, 5000);
    const lines = readFileSync(path.join(dir, LOG_FILE_NAME), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { i: number }).i)).toEqual(Array.from({ length: 16_000 }, (_, i) => i));
    // Lines after the flush go to the other destinations only, and fail nothing.
    logger.info('after the flush');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(readFileSync(path.join(dir, LOG_FILE_NAME), 'utf8')).not.toContain('after the flush');
  });

  it('are skipped, with the kiosk still logging, when the folder cannot be created', () => {
    const logger = createLogger({ stderr: false });
    // A regular file where the folder should be: mkdir fails with ENOTDIR.
    const blocker = path.join(mkdtempSync(path.join(os.tmpdir(), 'kiosk-logs-')), 'not-a-folder');
    writeFileSync(blocker, '');
    expect(logToFiles(logger, { dir: path.join(blocker, 'logs'), maxFileMB: 1, keepFiles: 1 })).toBeUndefined();
  });

  it('are not opened for a logger with its own destination', () => {
    const logger = createLogger({ destination: { write: () => undefined } });
    expect(logToFiles(logger, { dir: mkdtempSync(path.join(os.tmpdir(), 'kiosk-logs-')), maxFileMB: 1, keepFiles: 1 })).toBeUndefined();
  });
});

describe('log lines', () => {
  it('are scrubbed of every form of a secret the logger knows, and stay valid JSON', () => {
    const token = `Signature keyId="kiosk",sig="${'5eC2'.repeat(8)}+/\\x"`;
    const log = new LogCapture();
    const logger = createLogger({ destination: log, secrets: new Secrets([token]) });
    for (const echo of echoesOf(token)) logger.warn({ upstreamSaid: echo.text, nested: { again: `<${echo.text}>` } }, `echo: ${echo.text}`);
    expect(log.lines).toHaveLength(echoesOf(token).length);
    for (const line of log.lines) {
      expect(recoverable(line, token), line).toBe(false);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });
});

describe('the log level', () => {
  it('falls back to info for a level pino does not know, instead of failing to start', () => {
    expect(createLogger({ stderr: false, level: 'verbose' }).level).toBe('info');
    expect(createLogger({ stderr: false, level: 'debug' }).level).toBe('debug');
  });
});
