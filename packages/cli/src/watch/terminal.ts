/** Paints whole frames on a TTY in the alternate screen, and always gives the terminal back. */
export class TerminalPainter {
  private active = false;

  constructor(private readonly out: NodeJS.WriteStream) {}

  get size(): { columns: number; rows: number } {
    return { columns: this.out.columns || 100, rows: this.out.rows || 40 };
  }

  paint(lines: readonly string[]): void {
    if (!this.active) {
      this.active = true;
      this.out.write('\u001b[?1049h\u001b[?25l'); // alternate screen, hide cursor
    }
    const rows = lines.slice(0, this.size.rows);
    this.out.write(`\u001b[H${rows.map((line) => `${line}\u001b[K`).join('\n')}\u001b[J`);
  }

  restore(): void {
    if (!this.active) return;
    this.active = false;
    this.out.write('\u001b[?25h\u001b[?1049l'); // show cursor, back to the normal screen
  }
}
