/**
 * The Tracer Readiness view. Ctx pushes the snapshot in; getChildren only
 * maps readiness_model's nodes to TreeItems (no requests from here). An
 * empty tree shows the welcome view (package.json viewsWelcome).
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { firstFailedCheck, ModelNode, NodeStatus, readinessNodes } from './readiness_model';

const ICONS: Record<NodeStatus, vscode.ThemeIcon | undefined> = {
  pass: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  warn: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  skip: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
  checking: new vscode.ThemeIcon('loading~spin'),
  none: undefined,
};

export class ReadinessTreeItem extends vscode.TreeItem {
  constructor(readonly node: ModelNode) {
    super(node.label,
      node.expanded === undefined ? vscode.TreeItemCollapsibleState.None
        : node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    this.id = node.id;
    this.description = node.description;
    if (node.tooltip) {
      const md = new vscode.MarkdownString(node.tooltip, true);
      md.isTrusted = false;
      this.tooltip = md;
    }
    const icon = ICONS[node.status];
    if (icon) this.iconPath = icon;
    else if (node.kind === 'fix') this.iconPath = new vscode.ThemeIcon(node.fix?.command ? 'terminal' : 'lightbulb');
    else if (node.kind === 'command-info') this.iconPath = new vscode.ThemeIcon('symbol-event');
    // what the item menus key on (package.json view/item/context)
    this.contextValue = node.kind === 'fix' ? (node.fix?.command ? 'roar.fix.command' : 'roar.fix') : `roar.${node.kind}.${node.status}`;
    if (node.kind === 'fix' && node.fix?.command) {
      this.command = { title: 'Copy Fix Command', command: 'roar.copyFixCommand', arguments: [this] };
    }
    this.accessibilityInformation = { label: `${node.label}, ${node.status === 'none' ? node.kind : node.status}${node.description ? `, ${node.description}` : ''}` };
  }
}

export class ReadinessTreeProvider implements vscode.TreeDataProvider<ReadinessTreeItem>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<ReadinessTreeItem | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: ModelNode[] = [];
  /** One item per node id and its parent, rebuilt on refresh (getParent makes reveal work). */
  private items = new Map<string, ReadinessTreeItem>();
  private parents = new Map<string, ModelNode | undefined>();
  private lastCommandSeq: number | undefined;
  readonly view: vscode.TreeView<ReadinessTreeItem>;

  constructor(private readonly ctx: Ctx) {
    this.view = vscode.window.createTreeView('roar.readiness', { treeDataProvider: this, showCollapseAll: true });
    ctx.extension.subscriptions.push(this.view, this.emitter, ctx.onDidChangeReadiness(() => this.refresh()));
    this.refresh();
  }

  refresh(): void {
    this.roots = readinessNodes(this.ctx.readiness);
    this.items.clear();
    this.parents.clear();
    const index = (nodes: ModelNode[], parent: ModelNode | undefined) => {
      for (const n of nodes) {
        this.parents.set(n.id, parent);
        index(n.children, n);
      }
    };
    index(this.roots, undefined);
    void vscode.commands.executeCommand('setContext', 'roar.hasVerdict', this.roots.length > 0);
    this.emitter.fire(undefined);
    // a newly refused command: scroll its failed check into view (without taking focus)
    const cmd = this.ctx.readiness.command;
    if (cmd && cmd.seq !== this.lastCommandSeq) {
      this.lastCommandSeq = cmd.seq;
      const root = this.roots.find((n) => n.id.startsWith(`cmd-${cmd.seq}:`));
      const failed = root && !cmd.verdict.ok ? firstFailedCheck(root) : undefined;
      if (failed && this.view.visible) {
        setTimeout(() => void this.view.reveal(this.item(failed), { select: true, focus: false, expand: true }).then(undefined, () => {}), 50);
      }
    }
  }

  private item(n: ModelNode): ReadinessTreeItem {
    let it = this.items.get(n.id);
    if (!it) {
      it = new ReadinessTreeItem(n);
      this.items.set(n.id, it);
    }
    return it;
  }

  /** The model the view shows (tests compare it with `roar tracer check --json`). */
  nodes(): ModelNode[] {
    return this.roots;
  }

  getTreeItem(item: ReadinessTreeItem): vscode.TreeItem {
    return item;
  }

  getChildren(item?: ReadinessTreeItem): ReadinessTreeItem[] {
    return (item ? item.node.children : this.roots).map((n) => this.item(n));
  }

  getParent(item: ReadinessTreeItem): ReadinessTreeItem | undefined {
    const p = this.parents.get(item.node.id);
    return p ? this.item(p) : undefined;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
