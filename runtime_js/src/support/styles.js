// The support part's styles (offers, the contact form, thumbs), added to the shadow root.

export const SUPPORT_CSS = `
.offer{display:flex;flex-direction:column;gap:8px}
.offer p{margin:0}
.offline{color:var(--sitebot-muted);font-size:13.5px}
.acts{display:flex;flex-wrap:wrap;gap:8px}
.primary,.alt{display:inline-block;padding:6px 14px;font-size:13.5px;line-height:1.4;border-radius:16px;text-decoration:none;cursor:pointer}
.primary{background:var(--sitebot-accent);color:var(--sitebot-accent-text);border:1px solid var(--sitebot-accent)}
.alt{background:var(--sitebot-bg);color:var(--sitebot-link);border:1px solid var(--sitebot-link)}
.primary:disabled{opacity:.6;cursor:default}
.sbf{align-self:stretch;max-width:none;display:flex;flex-direction:column;gap:10px;white-space:normal}
.ftitle{margin:0;font-weight:600}.fintro{margin:0;color:var(--sitebot-muted);font-size:13px}
.row{display:flex;flex-direction:column;gap:4px;font-size:13px;color:var(--sitebot-muted)}
.field{font:inherit;font-size:14px;padding:8px 10px;color:var(--sitebot-text);background:var(--sitebot-surface);border:1px solid var(--sitebot-border);border-radius:8px;resize:vertical}
.field:focus{outline:2px solid var(--sitebot-link);outline-offset:0}
[aria-invalid=true]{border-color:#d93025;outline-color:#d93025}
.consent{display:flex;flex-wrap:wrap;align-items:flex-start;gap:6px;font-size:13px}
.consent input{margin-top:3px}
.consent label{flex:1;min-width:70%}
.consent a{color:var(--sitebot-link)}
.err{margin:0;color:#d93025;font-size:13px}.err:empty{display:none}
.thumbs{display:flex;align-items:center;gap:4px;margin-top:-6px}
.thumbs .copy{margin-top:0}
.thumb{display:grid;place-items:center;width:28px;height:24px;padding:0;background:none;border:1px solid transparent;border-radius:12px;color:var(--sitebot-muted)}
.thumb svg{width:15px;height:15px}
.thumb:hover:not(:disabled){border-color:var(--sitebot-border);color:var(--sitebot-text)}
.thumb[aria-pressed=true]{color:var(--sitebot-link);border-color:var(--sitebot-link)}
.thanks{font-size:12px;color:var(--sitebot-muted);margin-inline-start:6px}
`;
