// An in-memory Iptables for the proxy's tests: it keeps chains and rules per table the way
// iptables-restore --noflush and -C/-I/-D change them, so a test can read the outcome.
import type { Iptables } from './iptables.ts';
import type { JumpRule, Table } from './rules.ts';

const BUILTIN: Record<Table, string[]> = {
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
};

export class FakeIptables implements Iptables {
  readonly tables: Record<Table, Map<string, string[]>> = {
    nat: new Map(BUILTIN.nat.map((c) => [c, []])),
    filter: new Map(BUILTIN.filter.map((c) => [c, []])),
  };
  restores: string[] = [];
  /** Makes the next restore fail with this message. */
  failNext: string | undefined;

  restore(text: string): Promise<void> {
    if (this.failNext) {
      const m = this.failNext;
      this.failNext = undefined;
      return Promise.reject(new Error(m));
    }
    this.restores.push(text);
    let table: Map<string, string[]> | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('*')) table = this.tables[line.slice(1) as Table];
      else if (!table || line === 'COMMIT' || line === '') continue;
      else if (line.startsWith(':')) table.set(line.slice(1).split(' ')[0] ?? '', []);
      else if (line.startsWith('-X ')) table.delete(line.slice(3));
      else if (line.startsWith('-A ')) {
        const chain = line.split(' ')[1] ?? '';
        const rules = table.get(chain);
        if (!rules) return Promise.reject(new Error(`no chain ${chain}`));
        rules.push(line);
      }
    }
    return Promise.resolve();
  }

  save(table: Table): Promise<string> {
    const chains = [...this.tables[table].keys()];
    return Promise.resolve(
      `*${table}\n${chains.map((c) => `:${c} - [0:0]`).join('\n')}\n${chains.flatMap((c) => this.tables[table].get(c) ?? []).join('\n')}\nCOMMIT\n`,
    );
  }

  private line(j: JumpRule): string {
    return `-A ${j.chain} ${j.args.join(' ')}`;
  }

  hasJump(j: JumpRule): Promise<boolean> {
    return Promise.resolve((this.tables[j.table].get(j.chain) ?? []).includes(this.line(j)));
  }

  insertJump(j: JumpRule): Promise<void> {
    this.tables[j.table].get(j.chain)?.unshift(this.line(j));
    return Promise.resolve();
  }

  deleteJump(j: JumpRule): Promise<boolean> {
    const rules = this.tables[j.table].get(j.chain) ?? [];
    const i = rules.indexOf(this.line(j));
    if (i < 0) return Promise.resolve(false);
    rules.splice(i, 1);
    return Promise.resolve(true);
  }

  hasChain(table: Table, chain: string): Promise<boolean> {
    return Promise.resolve(this.tables[table].has(chain));
  }

  /** Every rule of a table's chain. */
  rules(table: Table, chain: string): string[] {
    return this.tables[table].get(chain) ?? [];
  }

  /** The chains of a table whose name starts with prefix. */
  chains(table: Table, prefix = 'NODELET-'): string[] {
    return [...this.tables[table].keys()].filter((c) => c.startsWith(prefix)).sort();
  }
}
