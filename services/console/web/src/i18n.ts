// Chinese first (the users are command-centre staff); English for visitors and reviewers.
export type Lang = "zh" | "en";

const words: Record<string, [string, string]> = {
  title: ["一屏显示 · 综合指挥中心", "One screen · Command centre"],
  signin: ["登录", "Sign in"],
  signout: ["退出", "Sign out"],
  token: ["访问令牌（Bearer）", "Access token (bearer)"],
  token_hint: ["粘贴统一身份认证签发的令牌", "Paste the token your identity provider issued"],
  lang: ["English", "中文"],
  live: ["实时", "Live"],
  stale: ["连接中断，正在重连…", "Connection lost, reconnecting…"],
  queue: ["待派队列", "Queue"],
  queue_empty: ["队列为空", "Nothing waiting"],
  clocks: ["1-3-5-8 时限", "1-3-5-8 clocks"],
  clocks_empty: ["没有进行中的指令", "No open orders"],
  alerts: ["升级告警", "Escalations"],
  acknowledge: ["确认", "Acknowledge"],
  figures: ["效能指标", "Figures"],
  not_available: ["暂不可用", "Not available"],
  cases: ["案件", "Cases"],
  mediations: ["调解", "Mediations"],
  none: ["无", "None"],
  incident: ["事件", "Incident"],
  candidates: ["可派队员", "Candidate officers"],
  reason: ["派单理由（必填）", "Reason (required)"],
  force: ["强制派单（越过技能/部门校验）", "Force (past the skills/department check)"],
  assign: ["派单", "Assign"],
  override: ["改派", "Override"],
  close: ["关闭", "Close"],
  timeline: ["全过程时间线", "Timeline"],
  open_timeline: ["查看时间线", "Open timeline"],
  pick_officer: ["请至少选择一名队员", "Choose at least one officer"],
  assigned_ok: ["已派单", "Order sent"],
  eta: ["预计到达", "ETA"],
  min: ["分钟", "min"],
  waiting: ["已等待", "waiting"],
  left: ["剩余", "left"],
  missed: ["已超时", "missed"],
  officers: ["队员", "Officers"],
  incidents: ["事件", "Incidents"],
  legend: ["图例", "Legend"],
  joint: ["综合查一次", "Joint inspection"],
  "joint.planned": ["待检查", "planned"],
  "joint.in_progress": ["检查中", "in progress"],
  "joint.complete": ["今日完成", "done today"],
  map: ["辖区地图", "Map of the tenant"],
  "state.reported": ["已上报", "reported"],
  "state.queued": ["待派", "queued"],
  "state.assigned": ["已派单", "assigned"],
  "state.on_scene": ["到场处置", "on scene"],
  "state.handed_off": ["转案件/调解", "handed off"],
  "state.closed": ["今日办结", "closed today"],
  "status.available": ["空闲", "available"],
  "status.assigned": ["已派", "assigned"],
  "status.en_route": ["在途", "en route"],
  "status.on_scene": ["在现场", "on scene"],
  "status.reporting": ["反馈中", "reporting"],
  "status.on_break": ["休息", "on break"],
  "status.off_duty": ["下班", "off duty"],
  "stage.acknowledge": ["接单(1分)", "acknowledge (1)"],
  "stage.coordinate": ["协同(3分)", "coordinate (3)"],
  "stage.arrive": ["到场(5分)", "arrive (5)"],
  "stage.report": ["反馈(8分)", "report (8)"],
  "priority.urgent": ["特急", "urgent"],
  "priority.high": ["紧急", "high"],
  "priority.normal": ["一般", "normal"],
  "priority.low": ["低", "low"],
  "mode.on_foot": ["步行", "on foot"],
  "mode.e_bike": ["电动车", "e-bike"],
  "mode.car": ["汽车", "car"],
  role_no_map: ["您的角色不查看调度图", "Your role does not see the dispatch map"],
};

let lang: Lang = (localStorage.getItem("oneteam.lang") as Lang | null) ?? "zh";

export function t(key: string): string {
  const found = words[key];
  if (!found) return key.includes(".") ? key.split(".").slice(1).join(".") : key;
  return lang === "zh" ? found[0] : found[1];
}

export function currentLang(): Lang {
  return lang;
}

export function toggleLang(): void {
  lang = lang === "zh" ? "en" : "zh";
  localStorage.setItem("oneteam.lang", lang);
  applyStatic();
}

/** Fill every element marked data-i18n (text) or data-i18n-label (aria-label). */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => (el.textContent = t(el.dataset.i18n!)));
  root.querySelectorAll<HTMLElement>("[data-i18n-label]").forEach((el) =>
    el.setAttribute("aria-label", t(el.dataset.i18nLabel!)));
}
