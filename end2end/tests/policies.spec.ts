import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signIn, watchCsp } from "./helpers";

const TITLE = "员工差旅费用报销标准";
const SLUG = `travel-expenses-${Date.now()}`;
const SIGNED = {
  name: "差旅费用报销标准（签发稿）.pdf",
  mimeType: "application/pdf",
  buffer: Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
};
const INVOICE = { ...SIGNED, name: "酒店发票.pdf" };
const APPROVAL = {
  name: "审批单.png",
  mimeType: "image/png",
  buffer: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64)]),
};

async function expectNoSeriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
}

test.describe.configure({ mode: "serial" });

test("an admin makes agent2 an editor, who publishes a page for 华东制造 only", async ({ page }) => {
  const violations = watchCsp(page);
  await signIn(page, "admin@example.com");
  await page.goto("/admin/users");
  await hydrated(page);
  const row = page.getByRole("row").filter({ hasText: "agent2@example.com" });
  await row.locator("summary").click();
  await row.getByTestId("toggle-editor").click();
  await expect(row.getByTestId("editor-badge")).toBeVisible();
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, "agent2@example.com");
  await page.getByRole("link", { name: "制度管理" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "制度管理" })).toBeVisible();
  await page.getByRole("link", { name: "新建制度页面" }).click();
  await expect(page).toHaveURL(/\/editor\/policies\/new$/);
  await hydrated(page);
  await page.getByLabel("网址").fill(SLUG);
  await page.getByLabel("分类").selectOption({ label: "— 差旅" });
  await page.getByLabel("中文标题").fill(TITLE);
  await page
    .getByLabel("中文正文（Markdown）")
    .fill("## 一、适用范围\n集团全体员工的国内出差。\n\n## 二、住宿标准\n一线城市每晚不超过 600 元。\n\n<img src=x onerror=\"window.__xss=1\">");
  // The preview is the reader's rendering, escaped payload included.
  const preview = page.locator(".policy-editor__preview");
  await expect(preview.getByText("一线城市每晚不超过 600 元。")).toBeVisible();
  await expect(preview.getByText('<img src=x onerror="window.__xss=1">')).toBeVisible();
  await page.getByRole("radio", { name: "指定子公司或客户分级" }).check();
  await page.getByRole("checkbox", { name: "华东制造有限公司" }).check();
  await expectNoSeriousViolations(page);
  await page.getByTestId("publish").click();
  await expect(page.getByRole("status").filter({ hasText: "已发布第 1 版。" })).toBeVisible();
  await expect(page).toHaveURL(/\/editor\/policies\/\d+\?published=1$/);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  expect(violations).toEqual([]);
});

test("a client of 华东制造 finds the page by two-character words and reads it", async ({ page }) => {
  const violations = watchCsp(page);
  await signIn(page, "client.east@example.com");
  // The header's box searches from any page.
  await page.getByRole("search", { name: "全站搜索制度" }).getByRole("searchbox").fill("差旅");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/policies\\?q=${encodeURIComponent("差旅")}`));
  await expect(page.getByTestId("policy-results").getByRole("link", { name: TITLE })).toBeVisible();
  await page.getByRole("link", { name: "规章制度" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "规章制度" })).toBeVisible();
  await expectNoSeriousViolations(page);
  for (const query of ["差旅", "差旅报销"]) {
    await page.locator("main").getByLabel("搜索制度").fill(query);
    await page.getByRole("button", { name: "搜索", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`q=${encodeURIComponent(query)}`));
    await expect(page.getByTestId("policy-results").getByRole("link", { name: TITLE })).toBeVisible();
  }
  await expectNoSeriousViolations(page);
  await page.getByTestId("policy-results").getByRole("link", { name: TITLE }).click();
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  const contents = page.getByRole("navigation", { name: "目录" });
  await expect(contents.getByRole("link", { name: "二、住宿标准" })).toBeVisible();
  await contents.getByRole("link", { name: "二、住宿标准" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "二、住宿标准" })).toBeInViewport();
  // Was it helpful? Once per version.
  await page.getByRole("radio", { name: "没有帮助" }).check();
  await page.getByLabel("补充说明（可选）").fill("二线城市的标准没写。");
  await page.getByRole("button", { name: "提交", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "感谢您的反馈。" })).toBeVisible();
  // The stored payload shows as text and never ran.
  await expect(page.getByText('<img src=x onerror="window.__xss=1">')).toBeVisible();
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
  await expectNoSeriousViolations(page);
  expect(violations).toEqual([]);
});

test("a client of 西南贸易 finds nothing and the page's address answers 404", async ({ page }) => {
  await signIn(page, "client.west@example.com");
  await page.goto(`/policies?q=${encodeURIComponent("差旅")}`);
  await expect(page.getByRole("status").filter({ hasText: "没有找到相关制度" })).toBeVisible();
  const response = await page.goto(`/policies/${SLUG}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "找不到该制度" })).toBeVisible();
});

test("the editor sees what readers said of the page and keeps the synonym list", async ({ page }) => {
  await signIn(page, "agent2@example.com");
  await page.goto("/editor/policies");
  await hydrated(page);
  await page.getByLabel("同义词", { exact: true }).fill("差旅 = 出行");
  await page.getByRole("button", { name: "保存同义词" }).click();
  await expect(page.getByRole("status").filter({ hasText: "已保存 1 组同义词。" })).toBeVisible();
  await expectNoSeriousViolations(page);
  await page.getByTestId("policy-pages").getByRole("link", { name: TITLE }).first().click();
  const report = page.getByTestId("feedback-report");
  await expect(report.getByRole("heading", { name: "第 1 版：0 人认为有帮助，1 人认为没有帮助" })).toBeVisible();
  await expect(report.getByText("二线城市的标准没写。")).toBeVisible();
  await expectNoSeriousViolations(page);
});

test("version 2 asks 华东制造 to confirm it; the client confirms, the editor sees it and the diff shows the change", async ({ page }) => {
  const violations = watchCsp(page);
  await signIn(page, "agent2@example.com");
  await page.goto("/editor/policies");
  await page.getByTestId("policy-pages").getByRole("link", { name: TITLE }).first().click();
  await hydrated(page);
  await page
    .getByLabel("中文正文（Markdown）")
    .fill("## 一、适用范围\n集团全体员工的国内出差。\n\n## 二、住宿标准\n一线城市每晚不超过 650 元。\n\n<img src=x onerror=\"window.__xss=1\">");
  await page.getByRole("checkbox", { name: "要求阅读确认" }).check();
  await expect(page.getByLabel("确认截止日期（可选）")).toBeVisible();
  // The signed original goes with the version.
  await page.locator("#policy-files").setInputFiles(SIGNED);
  await expect(page.locator(".file-row[data-state=done]")).toHaveCount(1);
  await page.getByTestId("publish").click();
  await expect(page.getByRole("status").filter({ hasText: "已发布第 2 版。" })).toBeVisible();
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, "client.east@example.com");
  const banner = page.getByTestId("ack-banner");
  await expect(banner).toBeVisible();
  await expectNoSeriousViolations(page);
  await banner.getByRole("link", { name: TITLE }).click();
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("policy-attachments").getByRole("link", { name: SIGNED.name })).toBeVisible();
  await page.getByRole("button", { name: "我已阅读并理解" }).click();
  await expect(page.getByRole("status").filter({ hasText: "您已确认阅读本版本" })).toBeVisible();
  await expect(page.getByTestId("ack-banner")).toHaveCount(0);
  // The editor's synonyms apply to every search: 出行 finds the page that says 差旅.
  await page.getByRole("search", { name: "全站搜索制度" }).getByRole("searchbox").fill("出行");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("policy-results").getByRole("link", { name: TITLE })).toBeVisible();
  await page.getByTestId("policy-results").getByRole("link", { name: TITLE }).click();
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();

  // What changed from version 1: only 600 → 650, marked character by character.
  await page.getByRole("link", { name: "与上一版比较" }).click();
  await expect(page).toHaveURL(/\/compare\?from=1&to=2$/);
  const diff = page.getByTestId("diff");
  await expect(diff.locator("del mark")).toHaveText(["0"]);
  await expect(diff.locator("ins mark")).toHaveText(["5"]);
  await expectNoSeriousViolations(page);
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL(/\/login$/);

  await signIn(page, "agent2@example.com");
  await page.goto("/editor/policies");
  await page.getByTestId("policy-pages").getByRole("link", { name: TITLE }).first().click();
  const report = page.getByTestId("ack-report");
  await expect(report.getByText("第 2 版：1 / 2 人已确认")).toBeVisible();
  const row = report.getByRole("row").filter({ hasText: "client.east@example.com" });
  await expect(row.getByText("已确认")).toBeVisible();
  const href = await report.getByRole("link", { name: "导出 CSV" }).getAttribute("href");
  const csv = await page.request.get(href ?? "");
  expect(csv.status()).toBe(200);
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString("utf8")).toContain("client.east@example.com,是,");
  await expectNoSeriousViolations(page);
  expect(violations).toEqual([]);
});

test("an admin links the page to reimbursements and says what a qualifying invoice is", async ({ page }) => {
  const violations = watchCsp(page);
  await signIn(page, "admin@example.com");
  await page.goto("/admin/request-types");
  await hydrated(page);
  await page.getByRole("button", { name: "编辑 费用报销" }).click();
  await page.getByLabel("相关制度").fill(`${SLUG}#二、住宿标准`);
  await page.getByLabel("合格要求（中文）").first().fill("须为增值税发票，抬头为公司全称并注明税号。");
  await page.getByLabel("依据的制度（页面地址#标题）").first().fill(SLUG);
  await page.getByRole("button", { name: "保存", exact: true }).click();
  await expect(page.getByRole("button", { name: "编辑 费用报销" })).toBeVisible();
  await expect(page.locator(".type-editor")).toHaveCount(0);
  expect(violations).toEqual([]);
});

test("while asking, the client sees the checklist and the suggested page, and the agent sees both with the request", async ({ page, context, browser }) => {
  test.setTimeout(90_000);
  const violations = watchCsp(page);
  await signIn(page, "client.east@example.com");
  await page.getByRole("link", { name: "新建申请" }).first().click();
  await expect(page).toHaveURL(/\/requests\/new$/);
  await hydrated(page);
  await page.getByLabel("申请类型").selectOption({ label: "费用报销" });
  // The checklist says everything at once: what is needed, what qualifies, which rule asks.
  const checklist = page.getByTestId("checklist");
  await expect(checklist.getByRole("heading", { name: "材料清单（一次性告知）" })).toBeVisible();
  const invoice = checklist.getByRole("listitem").filter({ hasText: "发票" }).first();
  await expect(invoice).toContainText("待附");
  await expect(invoice).toContainText("须为增值税发票，抬头为公司全称并注明税号。");
  await expect(invoice.getByRole("link", { name: `依据： ${TITLE}` })).toHaveAttribute("href", `/policies/${SLUG}`);
  await expect(checklist.getByRole("link", { name: new RegExp(TITLE) }).first()).toHaveAttribute("href", `/policies/${SLUG}#二、住宿标准`);

  // Every term of the title must be found in a page for it to be suggested.
  const title = "差旅报销";
  await page.getByLabel("标题").fill(title);
  const suggestions = page.getByTestId("policy-suggestions");
  await expect(suggestions.getByRole("link", { name: TITLE })).toBeVisible();
  await expectNoSeriousViolations(page);
  // It opens in a new tab; the form keeps what was typed.
  const [tab] = await Promise.all([context.waitForEvent("page"), suggestions.getByRole("link", { name: TITLE }).click()]);
  await expect(tab.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await tab.close();
  await expect(page.getByLabel("标题")).toHaveValue(title);

  await page.getByLabel(/报销金额/).fill("1,800.00");
  await page.getByLabel(/费用发生日期/).fill("2026-11-20");
  await page.getByLabel(/费用类别/).selectOption({ label: "差旅费" });
  await page.locator("#slot-invoice").setInputFiles(INVOICE);
  await page.locator("#slot-approval").setInputFiles(APPROVAL);
  await expect(page.locator(".file-row[data-state=done]")).toHaveCount(2);
  await expect(invoice).toContainText("已附");
  await page.getByRole("button", { name: "提交申请" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  const url = page.url();
  await expect(page.getByTestId("request-policies")).toHaveCount(0);
  expect(violations).toEqual([]);

  // The agent's page says which versions were in force and which the client saw.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent1@example.com");
  await agent.goto(url);
  const policies = agent.getByTestId("request-policies");
  await expect(policies).toContainText("提交时有效的制度版本");
  await expect(policies).toContainText("客户提交前看到的制度建议");
  await expect(policies.getByRole("listitem").filter({ hasText: "客户打开于" })).toContainText(`${TITLE} （第 2 版）`);
  await expectNoSeriousViolations(agent);
  await agentContext.close();
});
