/**
 * The Runs view: recent runs of each workspace folder's run store (through
 * the engine's roar/listRuns and roar/getRun), their inputs and outputs;
 * a click opens the file. Files inside the workspace come first; the rest
 * (libraries, the interpreter) are grouped under "outside the workspace".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../engine/protocol';
import type { RunSummary } from '../../engine/protocol/rpc';
import { METHODS } from '../../engine/protocol/rpc';
import { quoteArgv } from './argv';
import type { Ctx } from './ctx';

type RunsNode =
  | { kind: 'run'; folder: string; root: string; run: RunSummary }
  | { kind: 'group'; run: RunSummary; folder: string; label: string; files: FileEntry[]; outside: FileEntry[]; icon: string }
  | { kind: 'outside'; run: RunSummary; label: string; files: FileEntry[] }
  | { kind: 'file'; run: RunSummary; file: FileEntry; id: string }
  | { kind: 'record'; run: RunSummary };

interface FileEntry { path: string; detail: string }

const RUNS_LIMIT = 30;

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private runs: { folder: string; root: string; run: RunSummary }[] = [];
  private readonly records = new Map<string, RunRecord>();
  private timer: NodeJS.Timeout | undefined;
  readonly view: vscode.TreeView<RunsNode>;

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView('roar.runs', { treeDataProvider: this });
    const watcher = vscode.workspace.createFileSystemWatcher('**/.roar/runs/*.json');
    ctx.extension.subscriptions.push(
      this.view, this.emitter, watcher,
      watcher.onDidCreate(() => this.scheduleRefresh()),
      watcher.onDidDelete(() => this.scheduleRefresh()),
      ctx.onDidChangeState((s) => s === 'ready' && this.scheduleRefresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRefresh()),
    );
  }

  scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 200);
  }

  /** Reloads the run lists; resolves when the view has the new data. */
  async refresh(): Promise<RunSummary[]> {
    const all: typeof this.runs = [];
    if (this.ctx.isReady()) {
      for (const f of vscode.workspace.workspaceFolders ?? []) {
        try {
          const r = await this.ctx.client.request(METHODS.listRuns, { folder: f.uri.fsPath, limit: RUNS_LIMIT });
          for (const run of r.runs) all.push({ folder: f.uri.fsPath, root: r.root, run });
        } catch (e) {
          this.ctx.log.appendLine(`roar: listing the runs of ${f.uri.fsPath}: ${(e as Error).message}`);
        }
      }
    }
    // the same store can serve two folders (a .roar above both): show each run once
    const seen = new Set<string>();
    this.runs = all.filter((r) => !seen.has(r.run.path) && seen.add(r.run.path)).sort((a, b) => b.run.started_at.localeCompare(a.run.started_at));
    this.records.clear();
    this.emitter.fire(undefined);
    return this.runs.map((r) => r.run);
  }

  list(): RunSummary[] {
    return this.runs.map((r) => r.run);
  }

  private async record(folder: string, run: RunSummary): Promise<RunRecord | undefined> {
    const hit = this.records.get(run.path);
    if (hit) return hit;
    if (!this.ctx.isReady()) return undefined;
    const r = await this.ctx.client.request(METHODS.getRun, { folder, id: run.id });
    if (r.record) this.records.set(run.path, r.record);
    return r.record ?? undefined;
  }

  getTreeItem(n: RunsNode): vscode.TreeItem {
    switch (n.kind) {
      case 'run': {
        const r = n.run;
        const item = new vscode.TreeItem(quoteArgv(r.command), vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${r.path}`;
        const exit = r.exit.signal ? `signal ${r.exit.signal}` : `exit ${r.exit.code}`;
        item.description = `${exit} · ${r.tracer} · ${when(r.started_at)}`;
        item.iconPath = r.status === 'incomplete' ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
          : r.exit.code === 0 && !r.exit.signal ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'))
            : new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
        item.tooltip = new vscode.MarkdownString([
          `**${r.kind}** \`${quoteArgv(r.command).replace(/`/g, "'")}\``, '',
          `${exit} after ${(r.duration_ms / 1000).toFixed(2)} s · tracer ${r.tracer} · ${r.status}`, '',
          `${r.inputs} inputs, ${r.outputs} outputs · in \`${r.cwd}\``, '', `record \`${r.id}\``,
        ].join('\n'));
        item.contextValue = 'roar.run';
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(n.label, n.files.length + n.outside.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
        item.id = `run:${n.run.path}:${n.label}`;
        item.description = `${n.files.length + n.outside.length}`;
        item.iconPath = new vscode.ThemeIcon(n.icon);
        return item;
      }
      case 'outside': {
        const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `run:${n.run.path}:${n.label}:outside`;
        item.description = `${n.files.length}`;
        item.iconPath = new vscode.ThemeIcon('library');
        return item;
      }
      case 'file': {
        const uri = vscode.Uri.file(n.file.path);
        const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.None);
        item.id = n.id;
        item.label = path.basename(n.file.path);
        item.description = n.file.detail;
        item.tooltip = n.file.path;
        item.command = { title: 'Open File', command: 'vscode.open', arguments: [uri] };
        item.contextValue = 'roar.runFile';
        return item;
      }
      case 'record': {
        const uri = vscode.Uri.file(n.run.path);
        const item = new vscode.TreeItem('Run record', vscode.TreeItemCollapsibleState.None);
        item.id = `run:${n.run.path}:record`;
        item.description = path.basename(n.run.path);
        item.iconPath = new vscode.ThemeIcon('json');
        item.command = { title: 'Open Run Record', command: 'vscode.open', arguments: [uri] };
        return item;
      }
    }
  }

  async getChildren(n?: RunsNode): Promise<RunsNode[]> {
    if (!n) return this.runs.map((r) => ({ kind: 'run' as const, folder: r.folder, root: r.root, run: r.run }));
    if (n.kind === 'run') {
      const rec = await this.record(n.folder, n.run);
      if (!rec) return [{ kind: 'record', run: n.run }];
      const rel = (p: string) => path.relative(n.folder, p);
      const split = (list: FileEntry[]) => ({ files: list.filter((f) => inside(n.folder, f.path)), outside: list.filter((f) => !inside(n.folder, f.path)) });
      const ins = split(rec.inputs.map((i) => ({ path: i.path, detail: i.size === null ? '' : `${i.size} B` })));
      const outs = split(rec.outputs.map((o) => ({ path: o.path, detail: o.sha256 ? `sha256 ${o.sha256.slice(0, 12)}…` : '' })));
      for (const f of [...ins.files, ...outs.files]) f.detail = `${path.dirname(rel(f.path)) === '.' ? '' : path.dirname(rel(f.path)) + ' · '}${f.detail}`;
      return [
        { kind: 'group', run: n.run, folder: n.folder, label: 'Outputs', icon: 'arrow-up', ...outs },
        { kind: 'group', run: n.run, folder: n.folder, label: 'Inputs', icon: 'arrow-down', ...ins },
        { kind: 'record', run: n.run },
      ];
    }
    const fileNode = (f: FileEntry, tag: string): RunsNode => ({ kind: 'file', run: n.run, file: f, id: `run:${n.run.path}:${tag}:${f.path}` });
    if (n.kind === 'group') {
      const kids: RunsNode[] = n.files.map((f) => fileNode(f, n.label));
      if (n.outside.length) kids.push({ kind: 'outside', run: n.run, label: `${n.label.toLowerCase()} outside the workspace`, files: n.outside });
      return kids;
    }
    if (n.kind === 'outside') return n.files.map((f) => fileNode(f, n.label));
    return [];
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
