// The widget's whole stylesheet; it lives in the shadow root only. Theme it from the host
// page with custom properties on the element, e.g.
//   sitebot-widget { --sitebot-accent: #0f766e; --sitebot-radius: 8px; }

export const CSS = `
:host{all:initial;
position:fixed!important;top:0!important;left:0!important;z-index:var(--sitebot-z)!important;isolation:isolate!important;
--sitebot-accent:#2563eb;--sitebot-accent-text:#fff;
--sitebot-bg:#fff;--sitebot-surface:#f6f7f9;--sitebot-text:#1f2328;--sitebot-muted:#5f6873;
--sitebot-border:#e3e6ea;--sitebot-mark:#fde68a;--sitebot-link:var(--sitebot-accent);
--sitebot-radius:16px;--sitebot-z:2147483647;
--sitebot-font:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.dark{
--sitebot-bg:#1b1e23;--sitebot-surface:#23272e;--sitebot-text:#e8eaed;--sitebot-muted:#9ba3ad;
--sitebot-border:#363b43;--sitebot-mark:#6b5514;
--sitebot-link:color-mix(in srgb,var(--sitebot-accent) 55%,#fff)}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
.sb{display:block;position:fixed;inset:0 auto auto 0;width:0;height:0;margin:0;padding:0;border:0;overflow:visible;background:none;
font:15px/1.5 var(--sitebot-font);color:var(--sitebot-text);-webkit-font-smoothing:antialiased;text-align:start}
button{font:inherit;color:inherit;cursor:pointer}
svg{width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
:focus-visible{outline:2px solid var(--sitebot-link);outline-offset:2px}
.launcher{position:fixed;bottom:20px;right:20px;z-index:var(--sitebot-z);width:56px;height:56px;border:0;border-radius:50%;
display:grid;place-items:center;padding:0;background:var(--sitebot-accent);color:var(--sitebot-accent-text);
box-shadow:0 4px 14px rgba(0,0,0,.18),0 1px 3px rgba(0,0,0,.12);transition:transform .15s ease,box-shadow .15s ease}
.launcher:hover{transform:translateY(-1px) scale(1.04);box-shadow:0 8px 22px rgba(0,0,0,.22),0 2px 4px rgba(0,0,0,.12)}
.launcher svg{width:26px;height:26px}
.wide{width:auto;gap:8px;padding:0 20px 0 16px;border-radius:28px;grid-auto-flow:column;font-weight:600}
.avatar{width:32px;height:32px;border-radius:50%;object-fit:cover}
.launcher .avatar{width:56px;height:56px}.wide .avatar{width:36px;height:36px;margin-inline-start:-6px}
.launcher .i-close{width:22px;height:22px}
.launcher .i-close,.open .launcher .i-chat{display:none}
.open .launcher .i-close{display:block}
.left .launcher,.left .panel{right:auto;left:20px}
.panel{position:fixed;bottom:88px;right:20px;z-index:var(--sitebot-z);width:400px;max-width:calc(100vw - 40px);
height:620px;max-height:calc(100vh - 112px);display:flex;flex-direction:column;overflow:hidden;
background:var(--sitebot-bg);border:1px solid var(--sitebot-border);border-radius:var(--sitebot-radius);
box-shadow:0 16px 48px rgba(0,0,0,.18),0 2px 8px rgba(0,0,0,.08);animation:sb-in .18s ease-out;transform-origin:bottom right}
.left .panel{transform-origin:bottom left}
@keyframes sb-in{from{opacity:0;transform:translateY(8px) scale(.98)}}
.head{display:flex;align-items:center;gap:12px;padding:14px;padding-inline:18px 12px;background:var(--sitebot-accent);color:var(--sitebot-accent-text)}
.head div{flex:1;min-width:0}
.title{margin:0;font-size:16px;font-weight:600;line-height:1.3}
.subtitle{margin:2px 0 0;font-size:12.5px;opacity:.85}
.x{display:grid;place-items:center;width:36px;height:36px;padding:0;border:0;border-radius:50%;background:transparent;color:inherit}
.x:hover{background:rgba(255,255,255,.16)}
.x svg{width:20px;height:20px}
.head :focus-visible{outline-color:currentColor}
.log{position:relative;flex:1;overflow-y:auto;overscroll-behavior:contain;padding:16px;display:flex;flex-direction:column;gap:12px;background:var(--sitebot-surface)}
.msg{max-width:88%;margin:0;padding:10px 14px;border-radius:14px;overflow-wrap:anywhere;white-space:pre-wrap}
.msg,.excerpt,.starter,.source{unicode-bidi:plaintext}
.bot{align-self:flex-start;background:var(--sitebot-bg);border:1px solid var(--sitebot-border);border-end-start-radius:4px}
.user{align-self:flex-end;background:var(--sitebot-accent);color:var(--sitebot-accent-text);border-end-end-radius:4px}
.answer{align-self:stretch;display:flex;flex-direction:column;gap:8px}
.lead{margin:0;color:var(--sitebot-muted);font-size:13px}
.cards{display:flex;flex-direction:column;gap:8px}
.card{padding:12px 14px;background:var(--sitebot-bg);border:1px solid var(--sitebot-border);border-radius:12px}
.source{display:block;font-weight:600;font-size:14px;line-height:1.35;color:var(--sitebot-link);text-decoration:none;overflow-wrap:anywhere}
a.source:hover{text-decoration:underline}
.excerpt{margin:6px 0 0;font-size:14px;line-height:1.55;overflow-wrap:anywhere}
mark{background:var(--sitebot-mark);color:inherit;border-radius:3px;padding:0 2px;-webkit-box-decoration-break:clone;box-decoration-break:clone}
.row{width:100%;margin:6px 0;border:1px solid var(--sitebot-border);border-radius:8px;border-spacing:0;font-size:13.5px;line-height:1.45}
.row th,.row td{padding:3px 8px;text-align:start;vertical-align:top;overflow-wrap:anywhere}
.row tr+tr>*{border-top:1px solid var(--sitebot-border)}
.row th[scope=row]{width:38%;font-weight:400;color:var(--sitebot-muted)}
.row.hit{background:var(--sitebot-mark)}.row.hit th{color:inherit}
.starters{display:flex;flex-wrap:wrap;gap:8px}
.starter{padding:6px 12px;font-size:13.5px;text-align:start;background:var(--sitebot-bg);border:1px solid var(--sitebot-link);border-radius:16px;color:var(--sitebot-link)}
.copy{align-self:flex-start;margin-top:-6px;padding:2px 10px;font-size:12px;background:none;border:1px solid var(--sitebot-border);border-radius:12px;color:var(--sitebot-muted)}
.starter:hover,.copy:hover{border-color:var(--sitebot-muted);color:var(--sitebot-text)}
.prelim{align-self:stretch;display:flex;flex-direction:column;gap:8px}
.prelim-note{margin:0;font-size:12.5px}
.busy{color:var(--sitebot-muted)}
.busy::after{content:"";display:inline-block;width:6px;height:6px;margin-inline-start:8px;border-radius:50%;background:currentColor;vertical-align:middle;animation:sb-pulse 1s ease-in-out infinite}
@keyframes sb-pulse{50%{opacity:.2}}
.form{display:flex;align-items:center;gap:8px;padding:12px 12px 6px;background:var(--sitebot-bg);border-top:1px solid var(--sitebot-border)}
.input{flex:1;min-width:0;height:42px;padding:0 16px;font:inherit;font-size:15px;color:var(--sitebot-text);background:var(--sitebot-surface);
border:1px solid var(--sitebot-border);border-radius:21px;outline:none}
.input::placeholder{color:var(--sitebot-muted)}
.input:focus{border-color:var(--sitebot-link);box-shadow:0 0 0 3px color-mix(in srgb,var(--sitebot-accent) 22%,transparent)}
.form:last-child{padding-bottom:12px}
.send{display:grid;place-items:center;flex:none;width:42px;height:42px;padding:0;border:0;border-radius:50%;background:var(--sitebot-accent);color:var(--sitebot-accent-text)}
.send svg{width:20px;height:20px}
.send:disabled{opacity:.45;cursor:default}
.note{margin:0;padding:0 16px 10px;background:var(--sitebot-bg);color:var(--sitebot-muted);font-size:11.5px;text-align:center}
.vh{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:480px){
.panel{inset:0;width:100%;max-width:none;height:100%;max-height:none;border:0;border-radius:0}
.open .launcher{display:none}
.input{font-size:16px}}
.phone .panel{inset:auto;left:var(--sb-x);top:var(--sb-y);width:var(--sb-w);height:var(--sb-h);max-width:none;max-height:none;
border:0;border-radius:0;transform:scale(var(--sb-s));transform-origin:0 0;animation:none}
.phone .launcher,.phone .launcher:hover{inset:auto;left:calc(var(--sb-x) + var(--sb-w) * var(--sb-s));top:calc(var(--sb-y) + var(--sb-h) * var(--sb-s));
transform:scale(var(--sb-s)) translate(calc(-100% - 20px),calc(-100% - 20px));transform-origin:0 0;transition:none}
.phone.left .launcher{left:var(--sb-x);transform:scale(var(--sb-s)) translate(20px,calc(-100% - 20px))}
.phone.open .launcher{display:none}
.phone .input{font-size:16px}
@media (prefers-reduced-motion:reduce){.panel,.launcher,.busy::after{animation:none;transition:none}}
`;
