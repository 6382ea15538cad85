// The UI's files (the bundled UI or a site's ui.dir), served only from inside its folder.
// The path that decides is the file actually sent, after every symlink is resolved and a
// directory's index.html is appended: a link out of the folder, a linked index.html, a
// dotfile by any name (asked for or linked to) all answer 404.
import { realpathSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler, Response } from 'express';

export interface UiFilesOptions {
  /** The folder; resolved once at start, so a link as the folder itself is fine. */
  dir: string;
  /** Development: never cached, so a rebuild shows at once. */
  dev: boolean;
}

export function uiFiles({ dir, dev }: UiFilesOptions): RequestHandler {
  const root = realRoot(dir);
  const cacheControl = (relative: string): string =>
    // Vite fingerprints everything under assets/; the entry page must be revalidated.
    dev ? 'no-store' : relative.startsWith(`assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    resolveInside(root, req.path).then(
      (relative) => {
        if (relative === undefined) return notFound(res);
        const headers = { 'cache-control': cacheControl(relative) };
        res.sendFile(relative, { root, dotfiles: 'deny', cacheControl: false, headers }, (error?: Error) => {
          if (error === undefined) return;
          if (!res.headersSent) notFound(res);
          else res.destroy();
        });
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * The file under `root` that `urlPath` names, relative to `root`, with every link resolved;
 * undefined when there is none, or it lies outside `root`, or any part of its name (as asked
 * or as resolved) starts with a dot.
 */
export async function resolveInside(root: string, urlPath: string): Promise<string | undefined> {
  const wanted = decodeSafely(urlPath);
  if (wanted === undefined || wanted.includes('\0') || hasDotSegment(wanted.split('/'))) return undefined;
  const asked = path.join(root, wanted, wanted.endsWith('/') ? 'index.html' : '');
  const real = await realpath(asked).catch(() => undefined);
  if (real === undefined || !real.startsWith(root + path.sep)) return undefined;
  const relative = path.relative(root, real);
  if (hasDotSegment(relative.split(path.sep))) return undefined;
  const info = await stat(real).catch(() => undefined);
  return info?.isFile() === true ? relative : undefined;
}

function hasDotSegment(segments: readonly string[]): boolean {
  return segments.some((segment) => segment.startsWith('.'));
}

function notFound(res: Response): void {
  res.status(404).json({ error: 'not-found' });
}

function realRoot(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

function decodeSafely(urlPath: string): string | undefined {
  try {
    return decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
}
