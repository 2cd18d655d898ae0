/**
 * The view's CSS. Every colour comes from a VS Code theme variable (`--vscode-*`), with fallbacks so
 * the standalone page is legible in light and dark (prefers-color-scheme, or `data-theme` on <html>).
 * The view injects it as a <style> element carrying its script's nonce (CSP: no inline styles otherwise).
 */

/** Fallback palettes for pages outside VS Code. */
const LIGHT = `
  --fb-bg: #ffffff; --fb-fg: #1f1f1f; --fb-muted: #616161; --fb-border: #d4d4d4; --fb-node-bg: #f8f8f8;
  --fb-node-border: #8a8a8a; --fb-focus: #005fb8; --fb-current: #b85c00; --fb-blue: #005fb8; --fb-purple: #7a3fb0;
  --fb-green: #2d7d2d; --fb-red: #c72e2e; --fb-orange: #b85c00; --fb-button-bg: #005fb8; --fb-button-fg: #ffffff;
  --fb-input-bg: #ffffff; --fb-input-border: #cecece; --fb-selection: #cce4f7; --fb-hit: #f6d365;`;
const DARK = `
  --fb-bg: #1e1e1e; --fb-fg: #d4d4d4; --fb-muted: #9d9d9d; --fb-border: #3c3c3c; --fb-node-bg: #252526;
  --fb-node-border: #858585; --fb-focus: #3794ff; --fb-current: #e5a03a; --fb-blue: #4fa6ff; --fb-purple: #c397e8;
  --fb-green: #6fc36f; --fb-red: #f48771; --fb-orange: #e5a03a; --fb-button-bg: #0e639c; --fb-button-fg: #ffffff;
  --fb-input-bg: #3c3c3c; --fb-input-border: #555555; --fb-selection: #04395e; --fb-hit: #7a5d00;`;

const HIGH_CONTRAST = `
  --fb-bg: #000000; --fb-fg: #ffffff; --fb-muted: #e0e0e0; --fb-border: #6fc3df; --fb-node-bg: #000000;
  --fb-node-border: #ffffff; --fb-focus: #f38518; --fb-current: #ffd700; --fb-blue: #75beff; --fb-purple: #d7b2ff;
  --fb-green: #89d185; --fb-red: #ff8b8b; --fb-orange: #f38518; --fb-button-bg: #000000; --fb-button-fg: #ffffff;
  --fb-input-bg: #000000; --fb-input-border: #6fc3df; --fb-selection: #0f4a85; --fb-hit: #5c4b00;`;

/** The theme variables the graph uses, resolved once here so SVG export can inline their values. */
export const THEME_VARIABLES: Record<string, string> = {
  '--ts-bg': 'var(--vscode-editor-background, var(--fb-bg))',
  '--ts-fg': 'var(--vscode-editor-foreground, var(--fb-fg))',
  '--ts-muted': 'var(--vscode-descriptionForeground, var(--fb-muted))',
  '--ts-border': 'var(--vscode-panel-border, var(--vscode-contrastBorder, var(--fb-border)))',
  '--ts-node-bg': 'var(--vscode-editorWidget-background, var(--fb-node-bg))',
  '--ts-node-border': 'var(--vscode-contrastBorder, var(--vscode-editorWidget-border, var(--fb-node-border)))',
  '--ts-focus': 'var(--vscode-focusBorder, var(--fb-focus))',
  '--ts-current': 'var(--vscode-charts-orange, var(--fb-current))',
  '--ts-variable': 'var(--vscode-charts-blue, var(--fb-blue))',
  '--ts-nontrainable': 'var(--vscode-charts-purple, var(--fb-purple))',
  '--ts-gradient': 'var(--vscode-charts-green, var(--fb-green))',
  '--ts-none': 'var(--vscode-errorForeground, var(--fb-red))',
  '--ts-warn': 'var(--vscode-charts-orange, var(--fb-orange))',
  '--ts-heat-pos': 'var(--vscode-charts-red, var(--fb-red))',
  '--ts-heat-neg': 'var(--vscode-charts-blue, var(--fb-blue))',
  '--ts-hit': 'var(--vscode-editor-findMatchHighlightBackground, var(--fb-hit))',
  '--ts-selection': 'var(--vscode-list-activeSelectionBackground, var(--fb-selection))',
  '--ts-button-bg': 'var(--vscode-button-background, var(--fb-button-bg))',
  '--ts-button-fg': 'var(--vscode-button-foreground, var(--fb-button-fg))',
  '--ts-input-bg': 'var(--vscode-input-background, var(--fb-input-bg))',
  '--ts-input-fg': 'var(--vscode-input-foreground, var(--ts-fg))',
  '--ts-input-border': 'var(--vscode-input-border, var(--vscode-contrastBorder, var(--fb-input-border)))',
  '--ts-font': 'var(--vscode-font-family, system-ui, -apple-system, "Segoe UI", sans-serif)',
  '--ts-mono': 'var(--vscode-editor-font-family, ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace)',
};

/** Rules for the SVG graph only: also embedded in exported SVG files, with variables resolved. */
export const GRAPH_CSS = `
.graph-root { font-family: var(--ts-mono); font-size: 12px; }
.node .shape { fill: var(--ts-node-bg); stroke: var(--ts-node-border); stroke-width: 1.2; }
.node text { fill: var(--ts-fg); }
.node .title { font-weight: 600; }
.node .sub { fill: var(--ts-muted); }
.node .value { fill: var(--ts-fg); }
.node.kind-source.src-trainable-variable .shape { stroke: var(--ts-variable); stroke-width: 2; }
.node.kind-source.src-non-trainable-variable .shape { stroke: var(--ts-nontrainable); stroke-width: 2; stroke-dasharray: 6 3; }
.node.kind-source.src-constant .shape { stroke: var(--ts-muted); }
.node.kind-source.src-watched-tensor .shape { stroke: var(--ts-gradient); stroke-width: 2; }
.node.kind-source.src-unwatched-tensor .shape { stroke: var(--ts-muted); stroke-dasharray: 2 3; }
.node.unrecorded .shape { stroke-dasharray: 4 3; }
.node.unrecorded .title { font-weight: 400; font-style: italic; }
.node.kind-grad-op .shape, .node.kind-target .shape { stroke: var(--ts-gradient); }
.node.kind-gradient .shape { stroke: var(--ts-gradient); stroke-width: 2; }
.node.kind-gradient .inner { fill: none; stroke: var(--ts-gradient); stroke-width: 1; }
.node.kind-none .shape { stroke: var(--ts-none); stroke-width: 2; stroke-dasharray: 5 3; }
.node.kind-none .title { fill: var(--ts-none); }
.node.kind-group .shape, .node.kind-group .stack { stroke: var(--ts-focus); }
.node.kind-group .stack { fill: var(--ts-node-bg); stroke-width: 1; }
.node .badge-bg { fill: var(--ts-none); }
.node .badge { fill: var(--ts-bg); font-weight: 700; font-size: 10px; }
.node .heat.pos { fill: var(--ts-heat-pos); }
.node .heat.neg { fill: var(--ts-heat-neg); }
.node .heat.nan { fill: var(--ts-muted); }
.node .spark { fill: none; stroke: var(--ts-variable); stroke-width: 1.2; }
.node .heat-frame { fill: none; stroke: var(--ts-border); }
/* Dimmed by fill/stroke opacity, not group opacity: a group opacity makes Chromium paint each dimmed node
   into its own layer, which made a step on a 10,000-node graph several times slower. */
.node.state-pending .shape, .node.state-pending .stack, .node.state-pending .inner, .node.state-pending .heatmap { fill-opacity: 0.35; stroke-opacity: 0.35; }
.node.state-pending text { fill-opacity: 0.4; }
.node.state-current .shape { stroke: var(--ts-current); stroke-width: 4; }
.node.selected .shape { stroke: var(--ts-focus); stroke-width: 3; }
.node.state-current.selected .shape { stroke: var(--ts-current); stroke-width: 4; }
.node .halo { fill: none; stroke: none; }
.node.state-current .halo { stroke: var(--ts-current); stroke-width: 2; stroke-dasharray: 3 3; }
.node.selected .halo { stroke: var(--ts-focus); stroke-width: 1.5; }
.node.hit .shape { fill: var(--ts-hit); }
.edge { fill: none; stroke: var(--ts-muted); stroke-width: 1.2; }
.edge.kind-gradient, .edge.kind-seed, .edge.kind-result { stroke: var(--ts-gradient); stroke-width: 1.8; }
.edge.kind-none { stroke: var(--ts-none); stroke-dasharray: 4 3; }
.edge.kind-read { stroke: var(--ts-variable); }
.edge.kind-write { stroke: var(--ts-warn); stroke-dasharray: 6 2; }
.edge.state-pending { stroke-opacity: 0.25; }
.edge-label { fill: var(--ts-gradient); font-size: 11px; paint-order: stroke; stroke: var(--ts-bg); stroke-width: 3px; }
.edge-label.state-pending { fill-opacity: 0.3; }
.arrow { fill: var(--ts-muted); }
.arrow.gradient { fill: var(--ts-gradient); }
.arrow.none { fill: var(--ts-none); }
.cluster rect { fill: none; stroke: var(--ts-border); stroke-width: 1.5; stroke-dasharray: 2 2; }
.cluster text { fill: var(--ts-muted); font-size: 11px; }
.ov, .ov-edges { vector-effect: non-scaling-stroke; }
.ov { stroke: var(--ts-node-border); stroke-width: 1; fill: var(--ts-fg); fill-opacity: 0.55; }
.ov-pending { fill: var(--ts-muted); fill-opacity: 0.25; stroke-opacity: 0.35; }
.ov-current { fill: var(--ts-current); stroke: var(--ts-current); stroke-width: 8; }
.ov-selected { fill: none; fill-opacity: 0; stroke: var(--ts-focus); stroke-width: 4; }
.ov-hit { fill: var(--ts-hit); }
.ov-edges { fill: none; stroke: var(--ts-muted); stroke-width: 1; stroke-opacity: 0.2; }
.lod-low .node text, .lod-low .edge-label, .lod-low .node .heatmap { display: none; }
`;

export const PAGE_CSS = `
:root { ${LIGHT} color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { ${DARK} } }
:root[data-theme="light"] { ${LIGHT} color-scheme: light; }
:root[data-theme="dark"] { ${DARK} color-scheme: dark; }
@media (prefers-contrast: more) { :root { ${HIGH_CONTRAST} } }
:root[data-theme="high-contrast"] { ${HIGH_CONTRAST} color-scheme: dark; }
/* High contrast (ours, or VS Code's): dimmed nodes stay legible, and borders are thicker. */
:root[data-theme="high-contrast"] .node.state-pending text, body.vscode-high-contrast .node.state-pending text { fill-opacity: 0.7; }
:root[data-theme="high-contrast"] .node.state-pending .shape, body.vscode-high-contrast .node.state-pending .shape { stroke-opacity: 0.7; }
:root[data-theme="high-contrast"] .node .shape, body.vscode-high-contrast .node .shape { stroke-width: 2; }
body { ${Object.entries(THEME_VARIABLES).map(([k, v]) => `${k}: ${v};`).join(' ')} }
html, body { margin: 0; height: 100%; }
body { background: var(--ts-bg); color: var(--ts-fg); font-family: var(--ts-font); font-size: 13px; }
#tapescope-app { display: flex; flex-direction: column; height: 100vh; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--ts-border); }
.toolbar .group { display: flex; gap: 4px; align-items: center; }
.toolbar .group[hidden] { display: none; }
button, select, input { font: inherit; color: var(--ts-input-fg); background: var(--ts-input-bg); border: 1px solid var(--ts-input-border); border-radius: 2px; padding: 2px 6px; }
button { cursor: pointer; }
button.primary { background: var(--ts-button-bg); color: var(--ts-button-fg); border-color: transparent; }
button:focus-visible, select:focus-visible, input:focus-visible, svg:focus-visible, a:focus-visible, [tabindex]:focus-visible { outline: 2px solid var(--ts-focus); outline-offset: 1px; }
button[disabled] { opacity: 0.5; cursor: default; }
#step-label { font-family: var(--ts-mono); width: 34ch; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
#status { padding: 4px 8px; border-bottom: 1px solid var(--ts-border); }
#status[hidden] { display: none; }
#status progress { vertical-align: middle; }
.main { flex: 1; display: flex; min-height: 0; }
.panes { flex: 1; display: flex; min-width: 0; }
.pane { flex: 1; display: flex; flex-direction: column; min-width: 0; border-right: 1px solid var(--ts-border); }
.panes[data-maximized="forward"] .pane[data-pane="backward"], .panes[data-maximized="backward"] .pane[data-pane="forward"] { display: none; }
.pane h2 { display: flex; justify-content: space-between; align-items: center; font-size: 12px; font-weight: 600; margin: 0; padding: 4px 8px; color: var(--ts-muted); text-transform: uppercase; letter-spacing: 0.04em; border-bottom: 1px solid var(--ts-border); }
.pane svg { flex: 1; width: 100%; min-height: 0; display: block; contain: strict; }
.pane .empty { padding: 12px; color: var(--ts-muted); }
#details { contain: strict; width: 300px; flex: none; overflow: auto; padding: 8px 10px; font-size: 12px; }
#details h3 { margin: 0 0 4px; font-size: 14px; font-family: var(--ts-mono); }
#details h4 { margin: 10px 0 4px; font-size: 12px; color: var(--ts-muted); }
#details table { border-collapse: collapse; font-family: var(--ts-mono); }
#details td, #details th { padding: 1px 6px 1px 0; text-align: left; vertical-align: top; }
#details .none-reason { border: 2px dashed var(--ts-none); padding: 6px; margin: 6px 0; }
#details .none-reason strong { color: var(--ts-none); }
#details .mono { font-family: var(--ts-mono); }
#details .muted { color: var(--ts-muted); }
#details .badge { border: 1px solid var(--ts-none); color: var(--ts-none); padding: 0 4px; font-weight: 700; }
#details .pager { display: flex; gap: 6px; align-items: center; margin-top: 4px; }
.pane h2 .maximize { padding: 0 5px; font-size: 12px; }
.pane h2 .maximize[aria-pressed="true"] { background: var(--ts-button-bg); color: var(--ts-button-fg); }
.link { overflow-wrap: anywhere; text-align: left; color: var(--vscode-textLink-foreground, var(--ts-focus)); background: none; border: none; padding: 0; text-decoration: underline; cursor: pointer; font-family: var(--ts-mono); }
#source-view { contain: content; border-top: 1px solid var(--ts-border); padding: 4px 8px; font-family: var(--ts-mono); font-size: 12px; max-height: 8em; overflow: auto; }
#source-view[hidden] { display: none; }
#source-view .line { white-space: pre; }
#source-view .line.here { background: var(--ts-selection); font-weight: 600; }
#legend { display: flex; flex-wrap: wrap; gap: 4px 14px; padding: 4px 8px; border-top: 1px solid var(--ts-border); color: var(--ts-muted); font-size: 11px; }
#legend svg { vertical-align: middle; }
/* Narrow panels (VS Code's side panel): details under the graphs; very narrow: graphs stacked too. */
@media (max-width: 900px) {
  .main { flex-direction: column; }
  .panes { flex: 1 1 65%; min-height: 0; }
  #details { width: auto; flex: 1 1 35%; min-height: 120px; border-top: 1px solid var(--ts-border); }
  #step-label { width: 22ch; }
}
@media (max-width: 620px) {
  .panes { flex-direction: column; }
  .pane { border-right: none; border-bottom: 1px solid var(--ts-border); min-height: 0; }
  .toolbar { gap: 4px 8px; }
}
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
${GRAPH_CSS}
`;
