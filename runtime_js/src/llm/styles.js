// The stylesheet of the LLM mode (streamed Markdown, citations, Stop, sources), added to
// the shadow root by llm.js: widget.js does not carry it.

export const LLM_CSS = `
.llm{align-self:stretch;display:flex;flex-direction:column;align-items:flex-start;gap:8px}
.md{white-space:normal}
.md>:first-child{margin-top:0}.md>:last-child{margin-bottom:0}
.md p,.md ul,.md ol,.md pre,.md blockquote{margin:0 0 8px}
.md p{white-space:pre-wrap}
.md ul,.md ol{padding-inline-start:22px}
.md li>p{margin:0}.md li>ul,.md li>ol{margin:2px 0 0}
.md code{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--sitebot-surface);border-radius:4px;padding:1px 4px}
.md pre{overflow-x:auto;padding:8px 10px;background:var(--sitebot-surface);border-radius:8px}
.md pre code{padding:0;background:none;white-space:pre}
.md blockquote{padding-inline-start:10px;border-inline-start:3px solid var(--sitebot-border);color:var(--sitebot-muted)}
.md hr{border:0;border-top:1px solid var(--sitebot-border)}
.md a{color:var(--sitebot-link)}
a.cite{display:inline-block;min-width:1.4em;margin:0 1px;padding:0 3px;border-radius:6px;font-size:11px;line-height:1.5;font-weight:600;
text-align:center;vertical-align:super;text-decoration:none;background:color-mix(in srgb,var(--sitebot-accent) 14%,transparent)}
a.cite:hover{text-decoration:underline}
.stop{display:inline-flex;align-items:center;gap:6px;padding:4px 12px;padding-inline-start:8px;font-size:13px;background:var(--sitebot-bg);
border:1px solid var(--sitebot-border);border-radius:14px;color:var(--sitebot-muted)}
.stop:hover{color:var(--sitebot-text);border-color:var(--sitebot-muted)}
.stop svg{width:14px;height:14px}
.sources{align-self:stretch}
.sources ul{margin:4px 0 0;padding:0;list-style:none;display:flex;flex-direction:column;gap:4px}
.sources .source{font-weight:500;font-size:13px}
`;
