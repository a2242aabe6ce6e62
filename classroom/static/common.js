// Shared by the student and teacher pages: language, API calls, the leaderboard table.
const LANG = new URLSearchParams(location.search).get("lang") === "zh" ? "zh" : "en";
const T = {
  en: {rank: "Rank", team: "Team", cost: "Cost", frontier: "Frontier", vs: "vs status quo", failed: "failed", running: "Round running… every package on the same world and seeds", waiting: "Waiting for the teacher to close the round", round: "Round", choices: "Choices", pairs: "Which differences are real (paired 95% CI, row minus column)", open_live: "open in live view", note: "Mean [95% CI] over replications; * a difference from the status quo whose CI excludes 0; ● on the trade-off frontier (no package beats it on both the first outcome and cost)."},
  zh: {rank: "名次", team: "小组", cost: "成本", frontier: "前沿", vs: "与现状之差", failed: "失败", running: "本轮运行中……所有方案使用相同的地区和随机种子", waiting: "等待老师结束本轮", round: "轮次", choices: "选择", pairs: "哪些差异是真实的（配对95%置信区间）", open_live: "在实时视图中打开", note: "均值 [95%置信区间]；* 与现状之差的置信区间不含0；● 处在权衡前沿上。"},
}[LANG];
async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const data = await r.json();
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}
function esc(s) { return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c])); }
function fmt(x) { return x === null || x === undefined ? "–" : Number(x).toPrecision(3); }
function boardHtml(view, lesson, live) {  // live: the teacher's links to the teaching app, by team label (only once revealed)
  if (!view.board) return `<p class=muted>${view.status === "running" ? T.running : view.error ? esc(view.error) : T.waiting}</p>`;
  const outs = lesson.outcomes, labels = Object.fromEntries(lesson.levers.map(l => [l.key, l.label[LANG]]));
  let h = `<h3>${T.round} ${view.number}</h3><div class=scroll><table class=board><tr><th>${T.rank}</th><th>${T.team}</th><th>${T.cost}</th>`;
  for (const o of outs) h += `<th>${esc(o)}</th><th>${esc(o)}<br>${T.vs}</th>`;
  if (view.revealed) h += `<th>${T.choices}</th>`;
  h += "</tr>";
  for (const r of view.board.rows) {
    h += `<tr data-team="${esc(r.team)}"><td>${r.rank ?? ""}</td><td>${esc(r.team)}${r.frontier ? " ●" : ""}${live && live[r.label] ? `<span class=live><br><a class=live-link target=_blank rel=noopener data-team="${esc(r.team)}" href="${esc(live[r.label] + (LANG === "zh" ? "&lang=zh" : ""))}">${T.open_live}</a></span>` : ""}</td><td>${fmt(r.cost)}</td>`;
    if (r.error) h += `<td colspan=${2 * outs.length} class=err>${T.failed}: ${esc(r.error)}</td>`;
    else for (const o of outs) { const v = r.outcomes[o]; h += `<td>${fmt(v.mean)} [${fmt(v.low)}, ${fmt(v.high)}]</td><td>${r.label === "status_quo" ? "" : `${fmt(v.diff)} [${fmt(v.diff_low)}, ${fmt(v.diff_high)}]${v.real ? " *" : ""}`}</td>`; }
    if (view.revealed) h += `<td class=choices>${r.package ? Object.entries(r.package).map(([k, v]) => `${esc(labels[k])}: ${esc(v)}`).join("<br>") : ""}</td>`;
    h += "</tr>";
  }
  h += `</table></div><p class=muted>${T.note}</p>`;
  const pairs = view.board.pairs.filter(p => p.real);
  if (view.board.pairs.length) h += `<details><summary>${T.pairs}</summary><ul>${view.board.pairs.map(p => `<li>${esc(p.a)} − ${esc(p.b)}: ${fmt(p.diff)} [${fmt(p.low)}, ${fmt(p.high)}]${p.real ? " *" : ""}</li>`).join("")}</ul></details>`;
  return h;
}
const STYLE = `body{font-family:system-ui,sans-serif;margin:0 auto;max-width:900px;padding:12px;font-size:17px}
input,select,button{font-size:1em;padding:6px;margin:4px 0;max-width:100%}button{min-height:44px}
.err{color:#b00}.muted{color:#666;font-size:.85em}.scroll{overflow-x:auto}table.board{border-collapse:collapse;font-size:.8em}
.board td,.board th{border:1px solid #ccc;padding:3px 5px}.lever{margin:10px 0;padding:8px;border:1px solid #ddd;border-radius:6px}
.lever input[type=range]{width:100%}.code{font-size:2.4em;letter-spacing:.15em;font-weight:bold}`;
document.head.insertAdjacentHTML("beforeend", `<style>${STYLE}</style>`);
