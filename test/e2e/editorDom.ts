/**
 * Reading VS Code's editor DOM from a Playwright page: which line a lens sits above, which line
 * carries Tapescope's highlight (its gutter arrow, `tapescope-step.svg`), and the inline hints
 * (decoration `::after` content). VS Code renders the margin and the text in separate layers that
 * share `top` offsets, which is how lines are matched up.
 */
import type { Locator, Page } from 'playwright-core';

/** Top offset (px, in the editor's scrolled coordinates) of each rendered line number. */
async function lineTops(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const tops: Record<string, number> = {};
    // The visible text editor: a notebook's cell editors, or an editor of a hidden tab, may come
    // first in the DOM (after the notebook test, they did, and no lens was ever found).
    const editor = [...document.querySelectorAll<HTMLElement>('.editor-instance .monaco-editor')].find((e) => !e.closest('.notebook-editor') && e.getBoundingClientRect().height > 0);
    if (!editor) return tops;
    for (const row of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
      const n = row.querySelector('.line-numbers')?.textContent?.trim();
      if (n) tops[n] = row.getBoundingClientRect().top;
    }
    return tops;
  });
}

/** The "Compute gradient"/"Record tape" lens link rendered right above `line` (1-based), waiting for it. */
export async function lensAbove(page: Page, line: number, title: string, timeoutMs = 15_000): Promise<Locator | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await lensAboveNow(page, line, title);
    if (found || Date.now() > deadline) return found;
    await page.waitForTimeout(250);
  }
}

async function lensAboveNow(page: Page, line: number, title: string): Promise<Locator | undefined> {
  const tops = await lineTops(page);
  const lineTop = tops[String(line)];
  if (lineTop === undefined) return undefined;
  const lenses = page.locator('.codelens-decoration a', { hasText: title });
  // All boxes in one evaluation: VS Code re-renders lenses at any time, and a per-element
  // boundingBox() on an element gone since count() waits out its whole timeout (30 s).
  const boxes = await lenses.evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 ? { y: r.y, height: r.height } : null;
    }),
  );
  let best: { index: number; distance: number } | undefined;
  for (let i = 0; i < boxes.length; i++) {
    const box = boxes[i];
    if (!box) continue;
    const distance = lineTop - (box.y + box.height);
    // The lens widget sits in the zone just above its line (within a line height or two).
    if (distance >= -4 && distance < 40 && (!best || distance < best.distance)) best = { index: i, distance };
  }
  return best ? lenses.nth(best.index) : undefined;
}

/**
 * 1-based line carrying Tapescope's gutter arrow in the visible editor, or undefined. The arrow is a
 * glyph-margin widget (`.glyph-margin-widgets .cgmr`) positioned with the same `top` as its line's
 * row in `.margin-view-overlays`, which holds the line number.
 */
export async function highlightedLine(page: Page): Promise<number | undefined> {
  return page.evaluate(() => {
    for (const editor of document.querySelectorAll<HTMLElement>('.editor-instance .monaco-editor')) {
      if (editor.closest('.notebook-editor') || editor.getBoundingClientRect().height === 0) continue;
      const arrow = [...editor.querySelectorAll<HTMLElement>('.glyph-margin-widgets .cgmr')].find((el) =>
        getComputedStyle(el).backgroundImage.includes('tapescope-step'),
      );
      if (!arrow) continue;
      for (const row of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
        if (row.style.top !== arrow.style.top) continue;
        const n = row.querySelector('.line-numbers')?.textContent?.trim();
        if (n) return Number(n);
      }
    }
    return undefined;
  });
}

/** Inline hint texts (decoration `::after` content) per 1-based line. */
export async function inlineHints(page: Page): Promise<Record<number, string>> {
  return page.evaluate(() => {
    const byTop = new Map<number, number>();
    const editor = [...document.querySelectorAll<HTMLElement>('.editor-instance .monaco-editor')].find((e) => !e.closest('.notebook-editor') && e.getBoundingClientRect().height > 0);
    if (!editor) return {};
    for (const row of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
      const n = row.querySelector('.line-numbers')?.textContent?.trim();
      if (n) byTop.set(Math.round(row.getBoundingClientRect().top), Number(n));
    }
    const hints: Record<number, string> = {};
    for (const viewLine of editor.querySelectorAll<HTMLElement>('.view-lines .view-line')) {
      const line = byTop.get(Math.round(viewLine.getBoundingClientRect().top));
      if (line === undefined) continue;
      for (const span of viewLine.querySelectorAll<HTMLElement>('span')) {
        const content = getComputedStyle(span, '::after').content;
        if (content && content !== 'none' && content !== 'normal' && content.length > 2) {
          hints[line] = (hints[line] ?? '') + JSON.parse(content);
        }
      }
    }
    return hints;
  });
}

/** Moves the editor to show `line` (Ctrl+G), which also puts the cursor there. */
export async function goToLine(page: Page, line: number, tabTitle?: string): Promise<void> {
  // Focus the text editor through its tab: clicking into the text could land on a lens or widget.
  const tab = page.locator('.tabs-container .tab', tabTitle ? { hasText: tabTitle } : {}).filter({ hasNotText: 'Tapescope' }).first();
  await tab.click();
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`:${line}`);
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
}

/** Moves the mouse over the first `word` on `line` (1-based) and returns the hover widget's text. */
export async function hoverText(page: Page, line: number, word: string): Promise<string> {
  const point = await page.evaluate(
    ({ line, word }) => {
      const editor = [...document.querySelectorAll<HTMLElement>('.editor-instance .monaco-editor')].find((e) => !e.closest('.notebook-editor') && e.getBoundingClientRect().height > 0);
      if (!editor) return undefined;
      const row = [...editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')].find(
        (r) => r.querySelector('.line-numbers')?.textContent?.trim() === String(line),
      );
      const viewLine = [...editor.querySelectorAll<HTMLElement>('.view-lines .view-line')].find((v) => v.style.top === row?.style.top);
      if (!viewLine) return undefined;
      const walker = document.createTreeWalker(viewLine, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = (node.textContent ?? '').replace(/\u00a0/g, ' ');
        const at = text.search(new RegExp(`\\b${word}\\b`));
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        const box = range.getBoundingClientRect();
        return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      }
      return undefined;
    },
    { line, word },
  );
  if (!point) return '';
  await page.mouse.move(point.x, point.y - 30);
  await page.mouse.move(point.x, point.y, { steps: 5 });
  const hover = page.locator('.monaco-hover:not(.hidden)').first();
  await hover.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  return (await hover.innerText().catch(() => '')).replace(/\u00a0/g, ' ');
}
